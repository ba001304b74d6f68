/**
 * Password guessing is slowed per login: after MAX_FAILED_LOGINS failures within FAILURE_WINDOW_MS (since the last
 * successful login), that login is refused, right password or not, until the oldest of those failures is that old.
 */
export const MAX_FAILED_LOGINS = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

/**
 * When the login may be tried again, or undefined when it may now. `recentFailures`: the login's failures since its
 * last success and within the window, newest first (MAX_FAILED_LOGINS of them are enough).
 */
export function loginLockedUntil(recentFailures: readonly Date[], now: Date): Date | undefined {
  if (recentFailures.length < MAX_FAILED_LOGINS) return undefined;
  const until = new Date(recentFailures[MAX_FAILED_LOGINS - 1]!.getTime() + FAILURE_WINDOW_MS);
  return until > now ? until : undefined;
}
