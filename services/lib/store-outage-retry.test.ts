import { Code, ConnectError, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { ResolvedRule } from "./auth/policy.js";
import { createLogger } from "./log.js";
import { retryOnStoreOutage } from "./store-outage-retry.js";

const terminated = () => new Error("Connection terminated unexpectedly");
const rule = (over: Partial<ResolvedRule>) =>
  ({ callers: [], service: "s.v1.S", method: "M", mutates: false, ...over }) as ResolvedRule;
const settings = { budgetMs: 5_000, baseDelayMs: 1, maxDelayMs: 5 };

/** Calls the interceptor around a fake handler that fails with `errors` in turn, then answers. */
async function call(r: ResolvedRule, errors: unknown[], budget = settings, signal = new AbortController().signal) {
  let runs = 0;
  const next = async () => {
    runs++;
    const err = errors.shift();
    if (err !== undefined) throw err;
    return { message: "answer" } as unknown as UnaryResponse;
  };
  const req = {
    stream: false,
    service: { typeName: "s.v1.S" },
    method: { name: "M" },
    signal,
  } as unknown as UnaryRequest;
  const intercepted = retryOnStoreOutage(new Map([["/s.v1.S/M", r]]), budget, createLogger("test"));
  const outcome = await intercepted(next as never)(req).then(
    (res) => ({ answer: (res as unknown as { message: string }).message }),
    (err: unknown) => ({ error: err }),
  );
  return { ...outcome, runs };
}

describe("retryOnStoreOutage", () => {
  it("runs a call again while the store is away, and answers what the run that got through answers", async () => {
    expect(
      await call(rule({}), [terminated(), Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), terminated()]),
    ).toEqual({ answer: "answer", runs: 4 });
    expect(await call(rule({ mutates: true, retryOnStoreOutage: true }), [terminated()])).toEqual({
      answer: "answer",
      runs: 2,
    });
  });

  it("does not run again a method not safe to re-run, nor after an error the request caused", async () => {
    const first = terminated();
    expect(await call(rule({ mutates: true, retryOnStoreOutage: false }), [first])).toEqual({ error: first, runs: 1 });
    const refused = new ConnectError("bad", Code.InvalidArgument);
    expect(await call(rule({}), [refused])).toEqual({ error: refused, runs: 1 });
  });

  it("gives up with the store's error once the budget is spent, or when the caller went away", async () => {
    const last = terminated();
    const first = terminated();
    expect(await call(rule({}), [first, terminated()], { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 })).toEqual({
      error: first,
      runs: 1,
    });
    const gone = new AbortController();
    gone.abort();
    expect(await call(rule({}), [last], settings, gone.signal)).toEqual({ error: last, runs: 1 });
  });
});
