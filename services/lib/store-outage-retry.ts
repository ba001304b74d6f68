import { setTimeout as sleep } from "node:timers/promises";
import type { Interceptor } from "@connectrpc/connect";
import { retriesOnStoreOutage, type ResolvedRule } from "./auth/policy.js";
import { envInt } from "./config.js";
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

/** defaultStoreOutageRetry with the budget STORE_OUTAGE_RETRY_MS names, then `overrides`. */
export function storeOutageRetryFromEnv(overrides: Partial<StoreOutageRetry> = {}): StoreOutageRetry {
  const budgetMs = envInt("STORE_OUTAGE_RETRY_MS", defaultStoreOutageRetry.budgetMs);
  return { ...defaultStoreOutageRetry, budgetMs, ...overrides };
}

/** The Retry-After of an HTTP 503 answered because the database stayed away longer than the request could wait. */
export const STORE_OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * Runs `work` again, from its start, while it fails because the store is away (a failover), with exponential
 * backoff and full jitter, for at most `budgetMs` or until `signal` aborts; then fails with the store's error.
 * Only for work that is safe to run again whole. `onRetry` hears of each run that failed and will be followed by
 * another.
 */
export async function runAgainWhileStoreAway<T>(
  work: () => Promise<T>,
  settings: StoreOutageRetry,
  signal: AbortSignal | undefined,
  onRetry: (attempt: number, err: unknown) => void,
): Promise<T> {
  const deadline = Date.now() + settings.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isTransientStoreError(err) || signal?.aborted) throw err;
      const wait = jitteredBackoffMs(attempt, settings);
      if (Date.now() + wait > deadline) throw err;
      onRetry(attempt, err);
      await sleep(wait, undefined, { signal }).catch(() => {});
      if (signal?.aborted) throw err;
    }
  }
}

/**
 * Runs a unary call again, from its start, while it fails because the store is away (runAgainWhileStoreAway), or
 * until the caller gives up. Only methods whose rule allows it (retriesOnStoreOutage): the others, and a call whose
 * budget ran out, fail with the store's error, which mapErrors answers as UNAVAILABLE. A server-streaming call fails
 * while it is read, past this interceptor: it is not re-run.
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
    return runAgainWhileStoreAway(
      () => next(req),
      settings,
      req.signal,
      (attempt, err) =>
        log.info("the database is away; the call runs again", { procedure, attempt, error: String(err) }),
    );
  };
}
