import net from "node:net";
import { describe, expect, it } from "vitest";
import { HTTP_TIMEOUTS } from "../services/lib/http-timeouts.js";
import { usePlatform } from "./support/use-platform.js";

const under = usePlatform();

/** Sends a request line, then a header line every 500 ms and never the end of the headers; resolves when the server hangs up. */
function slowloris(url: string): Promise<{ openMs: number; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = "";
    const socket = net.connect(Number(port), hostname, () => socket.write(`GET / HTTP/1.1\r\nHost: ${hostname}\r\n`));
    const trickle = setInterval(() => socket.write("X-Slow: 1\r\n"), 500);
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(trickle);
      resolve({ openMs: Date.now() - started, answer });
    });
  });
}

describe("slow clients", () => {
  it("cannot hold a connection to the console, the payment service's HTTP side, its metrics or the PSP simulator", async () => {
    const { console: consoleService, payment, psp } = under.platform;
    const servers = {
      console: consoleService.url,
      payment: payment.webhookUrl,
      metrics: payment.metricsUrl,
      psp: psp.url,
    };
    const results = await Promise.all(Object.values(servers).map(slowloris));
    for (const [i, name] of Object.keys(servers).entries()) {
      expect(results[i]!.answer, name).toMatch(/^HTTP\/1\.1 408/);
      expect(results[i]!.openMs, name).toBeLessThan(HTTP_TIMEOUTS.headersMs + 2 * HTTP_TIMEOUTS.checkEveryMs + 500);
    }
  }, 20_000);
});
