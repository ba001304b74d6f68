import { setTimeout as sleep } from "node:timers/promises";
import type { Interceptor } from "@connectrpc/connect";
import { retriesOnStoreOutage, type ResolvedRule } from "./auth/policy.js";
import type { Logger } from "./log.js";
import { jitteredBackoffMs } from "./retry.js";
import { isTransientStoreError } from "./store-errors.js";

export interface StoreOutageRetry {
  /** How long one call may keep running again: longer than a failover (about 11 s with Patroni's ttl 10). */
  budgetMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultStoreOutageRetry: StoreOutageRetry = { budgetMs: 20_000, baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * Runs a unary call again, from its start, while it fails because the store is away (a failover), with exponential
 * backoff and full jitter, for at most `budgetMs` or until the caller gives up. Only methods whose rule allows it
 * (retriesOnStoreOutage): the others, and a call whose budget ran out, fail with the store's error, which mapErrors
 * answers as UNAVAILABLE. A server-streaming call fails while it is read, past this interceptor: it is not re-run.
 */
export function retryOnStoreOutage(
  rules: ReadonlyMap<string, ResolvedRule>,
  settings: StoreOutageRetry,
  log: Logger,
): Interceptor {
  return (next) => async (req) => {
    const procedure = `/${req.service.typeName}/${req.method.name}`;
    const rule = rules.get(procedure);
    if (req.stream || rule === undefined || !retriesOnStoreOutage(rule)) return next(req);
    const deadline = Date.now() + settings.budgetMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        if (!isTransientStoreError(err) || req.signal.aborted) throw err;
        const wait = jitteredBackoffMs(attempt, settings);
        if (Date.now() + wait > deadline) throw err;
        log.info("the database is away; the call runs again", { procedure, attempt, error: String(err) });
        await sleep(wait, undefined, { signal: req.signal }).catch(() => {});
        if (req.signal.aborted) throw err;
      }
    }
  };
}
