import { describe, expect, it } from "vitest";
import { FAILURE_WINDOW_MS, loginLockedUntil, MAX_FAILED_LOGINS } from "./login-throttle.js";

const now = new Date("2026-05-01T12:00:00Z");
const minutesAgo = (...minutes: number[]) => minutes.map((m) => new Date(now.getTime() - m * 60_000));

describe("login throttling", () => {
  it("lets a login be tried until it has failed MAX_FAILED_LOGINS times in the window", () => {
    expect(MAX_FAILED_LOGINS).toBe(5);
    expect(loginLockedUntil(minutesAgo(1, 2, 3, 4), now)).toBeUndefined();
  });

  it("then refuses it until the oldest of those failures leaves the window", () => {
    const failures = minutesAgo(1, 2, 3, 4, 10);
    expect(loginLockedUntil(failures, now)).toEqual(new Date(failures[4]!.getTime() + FAILURE_WINDOW_MS));
    expect(loginLockedUntil(failures, new Date(failures[4]!.getTime() + FAILURE_WINDOW_MS))).toBeUndefined();
  });
});
