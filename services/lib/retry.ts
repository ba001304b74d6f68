export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * Runs `fn` until it succeeds, `isTransient` says an error is permanent, or the attempts run out.
 * Waits grow exponentially with full jitter, so that many clients retrying at once spread out.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  isTransient: (err: unknown) => boolean,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.attempts || !isTransient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, jitteredBackoffMs(attempt, policy)));
    }
  }
}

/** The wait after failed attempt `attempt` (1, 2, ...): full jitter under an exponentially growing ceiling. */
export function jitteredBackoffMs(
  attempt: number,
  { baseDelayMs, maxDelayMs }: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
}
