import { describe, expect, it, onTestFinished, vi } from "vitest";
import { Clock } from "./clock.js";
import { startPspSimulator } from "./server.js";
import { API_KEY, DAY_SECONDS, startTestSimulator, waitFor, WEBHOOK_SECRET } from "./test-support.js";

/** A clock closed when the test finishes. */
function startClock(): Clock {
  const clock = new Clock();
  onTestFinished(() => clock.close());
  return clock;
}

describe("Clock", () => {
  it("runs what became due on advance, in time order, before advance returns", () => {
    const clock = startClock();
    const ran: string[] = [];
    clock.after(3000, () => ran.push("3s"));
    clock.after(1000, () => ran.push("1s"));
    clock.after(1000, () => ran.push("1s, scheduled later"));
    clock.after(60_000, () => ran.push("1min"));

    clock.advance(3000);
    expect(ran).toEqual(["1s", "1s, scheduled later", "3s"]);
  });

  it("runs in the same pass an action that a due action schedules and that is already due", () => {
    const clock = startClock();
    const ran: string[] = [];
    clock.after(1000, () => {
      ran.push("first");
      clock.after(0, () => ran.push("follow-up"));
    });
    clock.advance(1000);
    expect(ran).toEqual(["first", "follow-up"]);
  });

  it("never runs an action synchronously, but soon after when it is due now", async () => {
    const clock = startClock();
    let ran = false;
    clock.after(0, () => (ran = true));
    expect(ran).toBe(false);
    await waitFor(() => ran, "the due action");
  });

  it("runs actions on its own as real time passes", async () => {
    const clock = startClock();
    const start = Date.now();
    let ranAt = 0;
    clock.after(30, () => (ranAt = Date.now()));
    await waitFor(() => ranAt, "the action");
    expect(ranAt - start).toBeGreaterThanOrEqual(29);
  });

  it("keeps going after an action throws, and drops everything on close", async () => {
    const clock = startClock();
    const ran: string[] = [];
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    onTestFinished(() => logged.mockRestore());
    clock.after(10, () => {
      throw new Error("boom");
    });
    clock.after(20, () => ran.push("after the failure"));
    clock.advance(20);
    expect(ran).toEqual(["after the failure"]);
    expect(logged).toHaveBeenCalledWith(
      "psp-simulator: scheduled action failed",
      expect.objectContaining({ message: "boom" }),
    );

    clock.after(5, () => ran.push("never"));
    clock.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran).toEqual(["after the failure"]);
  });
});

describe("clock test helpers", () => {
  it("GET answers the simulator's time; advance moves it forward and answers the same shape", async () => {
    const sim = await startTestSimulator();
    const before = await sim.request("GET", "/v1/test_helpers/clock");
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ object: "clock", now: expect.any(Number), offset_seconds: 0 });
    expect(Math.abs(before.body.now - Date.now() / 1000)).toBeLessThan(5);

    const advanced = await sim.request("POST", "/v1/test_helpers/clock/advance", { body: { seconds: DAY_SECONDS } });
    expect(advanced.status).toBe(200);
    expect(advanced.body).toEqual({ object: "clock", now: expect.any(Number), offset_seconds: DAY_SECONDS });
    expect(Math.abs(advanced.body.now - (Date.now() / 1000 + DAY_SECONDS))).toBeLessThan(5);

    sim.advanceClock(1500);
    expect((await sim.request("GET", "/v1/test_helpers/clock")).body.offset_seconds).toBe(DAY_SECONDS + 1.5);
  });

  it("stamps created objects and webhook events with the simulator's time", async () => {
    const sim = await startTestSimulator();
    await sim.post("/v1/test_helpers/clock/advance", { seconds: 30 * DAY_SECONDS });
    const payment = await sim.paidPayment();
    const expected = Date.now() / 1000 + 30 * DAY_SECONDS;
    expect(Math.abs(payment.created - expected)).toBeLessThan(5);
    const payout = await sim.post("/v1/payouts", { amount: 100, currency: "EUR", destination: "ba_1", reference: "p" });
    expect(Math.abs(payout.created - expected)).toBeLessThan(5);
  });

  it.each([
    [{}, "parameter_missing"],
    [{ seconds: 0 }, "parameter_invalid"],
    [{ seconds: -60 }, "parameter_invalid"],
    [{ seconds: 1.5 }, "parameter_invalid"],
    [{ seconds: "60" }, "parameter_invalid"],
    [{ seconds: 11 * 366 * DAY_SECONDS }, "parameter_invalid"],
  ])("advance rejects %j with 400 naming seconds and leaves the clock alone", async (body, code) => {
    const sim = await startTestSimulator();
    const res = await sim.request("POST", "/v1/test_helpers/clock/advance", { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      type: "invalid_request_error",
      code,
      param: "seconds",
      message: expect.any(String),
    });
    expect((await sim.request("GET", "/v1/test_helpers/clock")).body.offset_seconds).toBe(0);
  });

  it.each(["reviewDelayMs", "authorizationTtlMs", "refundDelayMs", "payoutDelayMs"])(
    "startPspSimulator refuses a %s that is not an integer >= 0",
    async (option) => {
      for (const value of [-1, 1.5, Number.NaN]) {
        await expect(
          startPspSimulator({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, [option]: value }),
        ).rejects.toThrow(option);
      }
    },
  );

  it("advanceClock throws on anything but a positive integer", async () => {
    const sim = await startTestSimulator();
    for (const ms of [0, -1, 0.5, Number.NaN]) expect(() => sim.advanceClock(ms)).toThrow(RangeError);
  });

  it("is reachable while error_rate fails every other API request, and replays under an idempotency key", async () => {
    const sim = await startTestSimulator({ faults: { error_rate: 1 } });
    const first = await sim.request("POST", "/v1/test_helpers/clock/advance", {
      body: { seconds: 60 },
      idempotencyKey: "tick",
    });
    const replay = await sim.request("POST", "/v1/test_helpers/clock/advance", {
      body: { seconds: 60 },
      idempotencyKey: "tick",
    });
    expect(first.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await sim.request("GET", "/v1/test_helpers/clock")).body.offset_seconds).toBe(60);
  });
});
