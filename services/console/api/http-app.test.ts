import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../lib/log.js";
import type { ConsoleStore } from "../store/console-store.js";
import { consoleHandler, SESSION_COOKIE, sessionCsrf, type Route } from "./http-app.js";

const TOKEN = "session-token";
const terminated = () => new Error("Connection terminated unexpectedly");

/** How many times each route's handler ran; each fails with `failures` (in turn) before answering. */
const runs = { read: 0, act: 0 };
const failures: Record<keyof typeof runs, unknown[]> = { read: [], act: [] };
const failOrAnswer = (name: keyof typeof runs) => async () => {
  runs[name]++;
  const err = failures[name].shift();
  if (err !== undefined) throw err;
  return { status: 200, body: name };
};
const routes: Route[] = [
  { method: "GET", pattern: /^\/read$/, handle: failOrAnswer("read") },
  { method: "POST", pattern: /^\/act$/, handle: failOrAnswer("act") },
];
const store = {
  sessionOperator: async () => ({ id: "op", displayName: "Op", role: "finance" }),
} as unknown as ConsoleStore;
let serving = true;

let server: http.Server;
let origin: string;
beforeAll(async () => {
  server = http.createServer(
    consoleHandler(routes, store, createLogger("test"), {
      health: async () => serving,
      storeOutageRetry: { budgetMs: 2_000, baseDelayMs: 1, maxDelayMs: 5 },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const cookie = `${SESSION_COOKIE}=${TOKEN}`;
const get = (path: string) => fetch(`${origin}${path}`, { headers: { cookie } });
const post = (path: string) =>
  fetch(`${origin}${path}`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: sessionCsrf(TOKEN) }).toString(),
  });

describe("the console's handler while its database is away", () => {
  it("runs a GET again until it gets through", async () => {
    runs.read = 0;
    failures.read = [terminated(), Object.assign(new Error("refused"), { code: "ECONNREFUSED" })];
    const res = await get("/read");
    expect({ status: res.status, body: await res.text(), runs: runs.read }).toEqual({
      status: 200,
      body: "read",
      runs: 3,
    });
  });

  it("runs a POST's action once: a store outage in it is a 503 with Retry-After", async () => {
    runs.act = 0;
    failures.act = [terminated()];
    const res = await post("/act");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.text()).toContain("database is unavailable");
    expect(runs.act).toBe(1);
  });

  it("still answers any other failure 500, without running it again", async () => {
    runs.read = 0;
    failures.read = [new Error("a bug")];
    expect((await get("/read")).status).toBe(500);
    expect(runs.read).toBe(1);
  });

  it("answers GET /healthz without a session, as its probe says", async () => {
    serving = true;
    const up = await fetch(`${origin}/healthz`);
    expect({ status: up.status, text: await up.text() }).toEqual({ status: 200, text: "SERVING\n" });
    serving = false;
    const down = await fetch(`${origin}/healthz`);
    expect({ status: down.status, text: await down.text() }).toEqual({ status: 503, text: "NOT_SERVING\n" });
  });
});
