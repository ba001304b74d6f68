import { describe, expect, it } from "vitest";
import { clientKey, LOGIN_BACKOFF, retryAt, throttled, type FailureCount } from "./login-throttle.js";

const now = new Date("2026-05-01T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const minutesFromNow = (m: number) => new Date(now.getTime() + m * 60_000);
const none: FailureCount = { count: 0 };
const pair = LOGIN_BACKOFF.login_from_client;

describe("login backoff", () => {
  it("lets a login be tried freely until it has failed 5 times from one client", () => {
    expect(retryAt(pair, { count: 4, latest: now }, now)).toBeUndefined();
    expect(retryAt(pair, { count: 5, latest: now }, now)).toEqual(minutesFromNow(1));
  });

  it("doubles the wait with each further failure, never beyond 15 minutes", () => {
    const waits = [5, 6, 7, 8, 9, 50, 5000].map(
      (count) => (retryAt(pair, { count, latest: now }, now)!.getTime() - now.getTime()) / 60_000,
    );
    expect(waits).toEqual([1, 2, 4, 8, 15, 15, 15]);
  });

  it("ends: the wait runs from the latest failure, and once over the next try is allowed", () => {
    expect(retryAt(pair, { count: 9, latest: minutesAgo(14) }, now)).toEqual(minutesFromNow(1));
    expect(retryAt(pair, { count: 9, latest: minutesAgo(15) }, now)).toBeUndefined();
    expect(retryAt(pair, { count: 100_000, latest: minutesAgo(16) }, now)).toBeUndefined();
  });

  it("is looser for a login from anywhere and for a client across logins", () => {
    expect(LOGIN_BACKOFF.login.freeFailures).toBeGreaterThan(pair.freeFailures);
    expect(LOGIN_BACKOFF.client.freeFailures).toBeGreaterThan(pair.freeFailures);
    for (const backoff of Object.values(LOGIN_BACKOFF)) expect(backoff.maxDelayMs).toBeLessThanOrEqual(15 * 60_000);
  });

  it("says which scope waits longest", () => {
    expect(throttled({ login_from_client: { count: 3, latest: now }, login: none, client: none }, now)).toBeUndefined();
    const failures = {
      login_from_client: { count: 6, latest: now },
      login: { count: 20, latest: minutesAgo(0.5) },
      client: none,
    };
    expect(throttled(failures, now)).toEqual({ scope: "login_from_client", until: minutesFromNow(2) });
  });
});

describe("the client a login comes from", () => {
  it("is the IPv4 address, also when written as IPv6-mapped", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("is the /64 of an IPv6 address, however it is written", () => {
    expect(clientKey("2001:db8:0:1:aaaa::1")).toBe("2001:db8:0:1::/64");
    expect(clientKey("2001:0db8:0000:0001:ffff:ffff:ffff:ffff")).toBe("2001:db8:0:1::/64");
    expect(clientKey("2001:DB8::")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });

  it("is 'unknown' without an address (a closed socket)", () => {
    expect(clientKey(undefined)).toBe("unknown");
  });
});
