import { isIP } from "node:net";

/**
 * Failed logins slow down further tries, and every wait ends: `freeFailures` may fail in a row, then each further
 * try waits `firstDelayMs` after the latest failure, doubling with each failure up to `maxDelayMs`. Failures count
 * within `windowMs` and since the last success in the same scope. A refused try is not a failure, so hammering
 * does not lengthen the wait.
 */
export interface Backoff {
  freeFailures: number;
  windowMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export type ThrottleScope = "login_from_client" | "login" | "client";

const MINUTE = 60_000;

/**
 * Tightest on one login from one client, so that a guesser slows down only themself and the operator still logs in
 * from their own address: from one address a guesser gets 9 tries in the first quarter of an hour and 4 an hour
 * after that (the day-long window keeps them at the longest wait), well below the looser limits on a login from
 * anywhere (a guesser with many addresses) and on one client across logins (one address trying many logins).
 */
export const LOGIN_BACKOFF: Record<ThrottleScope, Backoff> = {
  login_from_client: { freeFailures: 5, windowMs: 24 * 60 * MINUTE, firstDelayMs: MINUTE, maxDelayMs: 15 * MINUTE },
  login: { freeFailures: 20, windowMs: 15 * MINUTE, firstDelayMs: MINUTE, maxDelayMs: 15 * MINUTE },
  client: { freeFailures: 30, windowMs: 15 * MINUTE, firstDelayMs: MINUTE, maxDelayMs: 15 * MINUTE },
};

/** The failures that count in one scope: how many, and the latest. */
export interface FailureCount {
  count: number;
  latest?: Date;
}

/** When the scope may be tried again, or undefined when it may now. */
export function retryAt(backoff: Backoff, failures: FailureCount, now: Date): Date | undefined {
  const beyond = failures.count - backoff.freeFailures;
  if (beyond < 0 || !failures.latest) return undefined;
  const delay = Math.min(backoff.firstDelayMs * 2 ** beyond, backoff.maxDelayMs);
  const at = new Date(failures.latest.getTime() + delay);
  return at > now ? at : undefined;
}

/** The scope that waits longest, and until when; undefined when none waits. */
export function throttled(
  failures: Record<ThrottleScope, FailureCount>,
  now: Date,
): { scope: ThrottleScope; until: Date } | undefined {
  let worst: { scope: ThrottleScope; until: Date } | undefined;
  for (const scope of Object.keys(LOGIN_BACKOFF) as ThrottleScope[]) {
    const until = retryAt(LOGIN_BACKOFF[scope], failures[scope], now);
    if (until && (!worst || until > worst.until)) worst = { scope, until };
  }
  return worst;
}

/**
 * Who a client is, for throttling: its IPv4 address, or the /64 of its IPv6 address (one host usually holds a whole
 * /64, so single addresses would cost a guesser nothing). The socket's address, never a header a client can write.
 */
export function clientKey(remoteAddress: string | undefined): string {
  const address = remoteAddress?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "") ?? "";
  if (isIP(address) !== 6) return address || "unknown";
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
