import { create, toBinary } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { DisputeEventSchema, PaymentEventSchema, RefundEventSchema } from "../../gen/payment/v1/events_pb.js";
import { PayoutEventSchema } from "../../gen/wallet/v1/events_pb.js";
import { eventLogFields } from "../../services/lib/events/event-log-fields.js";
import { addLogFields, createLogger, setLogDestination, withLogFields, type Logger } from "../../services/lib/log.js";
import { signatureHint } from "../../services/payment/api/psp-webhook.js";
import { startInFlightPoller, type InFlight } from "../../services/payment/app/in-flight-poller.js";
import { waitFor } from "../support/wait.js";

const levelBefore = process.env.LOG_LEVEL;
afterEach(() => {
  setLogDestination(undefined);
  process.env.LOG_LEVEL = levelBefore;
});

/** A logger at `level` whose lines are returned parsed. */
function capturing(level: string | undefined): { log: Logger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  if (level === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = level;
  setLogDestination({ write: (line) => void written.push(line) });
  return { log: createLogger("test"), lines: () => written.map((line) => JSON.parse(line)) };
}

describe("createLogger", () => {
  it("writes one JSON object per line: level, ISO time, service, fields (bigint as strings), msg", () => {
    const { log, lines } = capturing("info");
    log.info("posted", { paymentId: "pay_1", amountMinor: 12_345n, orders: [{ amountMinor: 1n }] });
    const [line] = lines();
    expect(line).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: "test",
      pid: process.pid,
      paymentId: "pay_1",
      amountMinor: "12345",
      orders: [{ amountMinor: "1" }],
      msg: "posted",
    });
  });

  it.each([
    ["debug", ["debug", "info", "warn", "error"]],
    [undefined, ["info", "warn", "error"]],
    ["verbose", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
    ["silent", []],
  ])("LOG_LEVEL=%s writes %j", (level, written) => {
    const { log, lines } = capturing(level);
    for (const l of ["debug", "info", "warn", "error"] as const) log[l](l);
    expect(lines().map((line) => line.level)).toEqual(written);
  });

  it("a child puts its bindings on each of its lines", () => {
    const { log, lines } = capturing("info");
    const payment = log.child({ paymentId: "pay_1", seq: 7n });
    payment.child({ refundId: "re_1" }).warn("refund stuck");
    payment.info("done");
    expect(lines()).toMatchObject([
      { paymentId: "pay_1", seq: "7", refundId: "re_1", msg: "refund stuck" },
      { paymentId: "pay_1", msg: "done" },
    ]);
  });

  it("redacts card data, credentials and signatures, also one level down", () => {
    const { log, lines } = capturing("info");
    log.info("careless", {
      card: { number: "4242424242424242" },
      cvc: "123",
      form: { card_number: "4242424242424242", exp: "12/30" },
      headers: { authorization: "Bearer sk_live", "psp-signature": "t=1,v1=abc" },
      psp: { apiKey: "sk_live", webhookSecret: "whsec" },
      signature: "v1=abc",
      paymentId: "pay_1",
    });
    const [line] = lines();
    for (const secret of ["4242424242424242", "12/30", "sk_live", "whsec", "v1=abc"])
      expect(JSON.stringify(line)).not.toContain(secret);
    expect(line).toMatchObject({
      card: "[redacted]",
      cvc: "[redacted]",
      form: { exp: "[redacted]" },
      headers: { "psp-signature": "[redacted]" },
      paymentId: "pay_1",
    });
  });
});

describe("log scopes", () => {
  it("fields of a scope, and those added inside it, reach every line logged within it, across awaits", async () => {
    const { log, lines } = capturing("info");
    const handle = (eventId: string, paymentId: string) =>
      withLogFields({ eventId }, async () => {
        log.info("received");
        await new Promise((resolve) => setTimeout(resolve, 5));
        addLogFields({ paymentId });
        await withLogFields({ refundId: "re_1" }, async () => log.info("inner", { eventId: "evt_call" }));
        log.info("applied");
      });
    await Promise.all([handle("evt_1", "pay_1"), handle("evt_2", "pay_2")]);
    addLogFields({ paymentId: "pay_outside" });
    log.info("outside");
    const of = (eventId: string) =>
      lines().filter((l) => l.eventId === eventId || (eventId === "evt_call" && l.msg === "inner"));
    expect(of("evt_1").map(({ msg, paymentId, refundId }) => ({ msg, paymentId, refundId }))).toEqual([
      { msg: "received", paymentId: undefined, refundId: undefined },
      { msg: "applied", paymentId: "pay_1", refundId: undefined },
    ]);
    // The call's own fields win; the inner scope starts from the outer one.
    expect(of("evt_call")).toMatchObject([
      { paymentId: "pay_1", refundId: "re_1" },
      { paymentId: "pay_2", refundId: "re_1" },
    ]);
    expect(lines().at(-1)).not.toHaveProperty("paymentId");
  });
});

describe("the in-flight poller", () => {
  it("logs a failed refresh with the id of what it refreshed, and the payment a refund's refresh found", async () => {
    const { log, lines } = capturing("warn");
    const failing = (ids: string[], found?: string): InFlight => ({
      claimStale: async () => ids,
      refresh: async () => {
        if (found) addLogFields({ paymentId: found });
        throw new Error("PSP unavailable");
      },
    });
    const stop = startInFlightPoller(
      { paymentId: failing(["pay_1"]), refundId: failing(["re_1"], "pay_2") },
      { intervalMs: 60_000, staleAfterMs: 0, batchSize: 1 },
      log,
    );
    try {
      await waitFor(
        async () => lines().length,
        (n) => n >= 2,
        5_000,
        "two log lines",
      );
    } finally {
      await stop();
    }
    expect(lines()).toMatchObject([
      { msg: "could not refresh an in-flight item", paymentId: "pay_1", error: "Error: PSP unavailable" },
      { msg: "could not refresh an in-flight item", refundId: "re_1", paymentId: "pay_2" },
    ]);
  });
});

describe("eventLogFields", () => {
  it("names the ids of each kind of event, with or without the subject prefix", () => {
    const payment = toBinary(
      PaymentEventSchema,
      create(PaymentEventSchema, { eventId: "evt_1", paymentId: "pay_1", checkoutId: "cart-1" }),
    );
    const refund = toBinary(
      RefundEventSchema,
      create(RefundEventSchema, { eventId: "evt_2", paymentId: "pay_1", refundId: "re_1" }),
    );
    const dispute = toBinary(
      DisputeEventSchema,
      create(DisputeEventSchema, { eventId: "evt_3", paymentId: "pay_1", disputeId: "dp_1" }),
    );
    const payout = toBinary(
      PayoutEventSchema,
      create(PayoutEventSchema, { eventId: "evt_4", payoutId: "po_1", sellerId: "s" }),
    );
    expect(eventLogFields("payments.payment.succeeded", payment)).toEqual({
      eventId: "evt_1",
      paymentId: "pay_1",
      checkoutId: "cart-1",
    });
    expect(eventLogFields("refund.succeeded", refund)).toEqual({
      eventId: "evt_2",
      paymentId: "pay_1",
      refundId: "re_1",
    });
    expect(eventLogFields("x.dispute.opened", dispute)).toEqual({
      eventId: "evt_3",
      paymentId: "pay_1",
      disputeId: "dp_1",
    });
    expect(eventLogFields("x.payout.paid", payout)).toEqual({ eventId: "evt_4", payoutId: "po_1" });
  });

  it("gives nothing for bytes that are no event, or an unknown subject", () => {
    expect(eventLogFields("x.payment.succeeded", new TextEncoder().encode("not protobuf {"))).toEqual({});
    expect(eventLogFields("x.other.thing", new Uint8Array())).toEqual({});
  });
});

describe("signatureHint", () => {
  it("keeps the timestamp and 8 characters of each signature, never a whole one", () => {
    const v1 = "5f2a9c01".padEnd(64, "e");
    expect(signatureHint(`t=1795601783,v1=${v1}, v1=${v1.toUpperCase()}`)).toBe(
      "t=1795601783,v1=5f2a9c01…,v1=5F2A9C01…",
    );
    expect(signatureHint(`garbage-${v1}`)).toBe("garbage-=…");
    expect(signatureHint(`t=${v1}`)).toBe("t=5f2a9c01…");
    expect(signatureHint(undefined)).toBeUndefined();
  });
});
