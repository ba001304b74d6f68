import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HTTP_TIMEOUTS, httpServerWithTimeouts } from "./http-timeouts.js";

const short = { headersMs: 300, requestMs: 600, keepAliveMs: 200, idleMs: 400, checkEveryMs: 50 };
let close: (() => void) | undefined;
afterEach(() => close?.());

async function serve(): Promise<number> {
  const server = httpServerWithTimeouts((req, res) => {
    req.resume();
    // /hang never answers.
    if (req.url !== "/hang") req.on("end", () => res.end("ok"));
  }, short);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => {
    server.closeAllConnections();
    server.close();
  };
  return (server.address() as AddressInfo).port;
}

/** Connects, runs `talk` on the socket, and says how long the server kept it open and what it answered. */
function connection(port: number, talk: (socket: net.Socket) => void): Promise<{ openMs: number; answer: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = "";
    const socket = net.connect(port, "127.0.0.1", () => talk(socket));
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("error", () => {});
    socket.on("close", () => resolve({ openMs: Date.now() - started, answer }));
  });
}

describe("HTTP server timeouts", () => {
  it("are on by default, each under a minute or so", () => {
    expect(HTTP_TIMEOUTS.headersMs).toBeLessThan(HTTP_TIMEOUTS.requestMs);
    expect(HTTP_TIMEOUTS.idleMs).toBeLessThanOrEqual(60_000);
  });

  it("answer 408 and close the connection of a client that trickles its headers (slowloris)", async () => {
    const port = await serve();
    let timer: NodeJS.Timeout | undefined;
    const { openMs, answer } = await connection(port, (socket) => {
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n");
      // A header line every 100 ms: never idle, never done.
      timer = setInterval(() => socket.write("X-Slow: 1\r\n"), 100);
    });
    clearInterval(timer);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(openMs).toBeLessThan(1_000);
  });

  it("close a connection whose body never finishes", async () => {
    const port = await serve();
    let timer: NodeJS.Timeout | undefined;
    const { openMs } = await connection(port, (socket) => {
      socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
      timer = setInterval(() => socket.write("a"), 100);
    });
    clearInterval(timer);
    expect(openMs).toBeGreaterThanOrEqual(short.requestMs - 50);
    expect(openMs).toBeLessThan(1_500);
  });

  it("close a connection that sends nothing, one whose answer never comes, and a kept-alive one that sends no next request", async () => {
    const port = await serve();
    const silent = await connection(port, () => {});
    expect(silent.openMs).toBeLessThan(1_000);
    const hung = await connection(port, (socket) => socket.write("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n"));
    expect(hung.answer).toBe("");
    expect(hung.openMs).toBeGreaterThanOrEqual(short.idleMs - 50);
    expect(hung.openMs).toBeLessThan(short.idleMs + 500);
    const kept = await connection(port, (socket) => socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    expect(kept.answer).toMatch(/^HTTP\/1\.1 200/);
    // Node waits a second beyond keepAliveTimeout (for requests already on their way); its default is 5 s.
    expect(kept.openMs).toBeLessThan(short.keepAliveMs + 1_500);
  });
});
