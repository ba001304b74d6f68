import { randomUUID } from "node:crypto";
import knex, { type Knex } from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { WALLET_SCHEMA } from "../../services/wallet/store/migrations/index.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { waitForPosting } from "./platform-books.js";
import { deadLetteredPoisonEvent } from "../support/event-streams.js";
import { scrape } from "../support/metrics.js";
import { usePlatform } from "../support/use-platform.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { loggedIn, rowsContaining } from "../console/console-browser.js";
import { waitFor } from "../support/wait.js";
import { paidOrder } from "./platform-books.js";

const STALL_AFTER_MS = 500;
const under = usePlatform({ stalls: { stallAfterMs: STALL_AFTER_MS, checkIntervalMs: 100 } });
let payments: Knex;
beforeAll(() => {
  payments = knex({ client: "pg", connection: under.platform.database.url, searchPath: [PAYMENT_SCHEMA] });
});
afterAll(() => payments?.destroy());

const checkInvariants = () => under.client("ledger", "operator-tools").checkInvariants({});
const stallsIn = (report: { violations: { invariant: string }[] }) =>
  report.violations.filter((v) =>
    ["settled_not_booked", "outbox_events_unpublished", "dead_letters_waiting"].includes(v.invariant),
  );

/** A charged payment whose event never left: written as the payment service would, minus the outbox row. */
async function chargedWithoutEvent(): Promise<string> {
  const id = `pay_stalled${randomUUID().slice(0, 8)}`;
  await payments("payments").insert({
    id,
    checkout_id: `chk-${id}`,
    request_fingerprint: "x",
    buyer_id: "buyer-stall",
    buyer_country: "US",
    return_url: "https://shop.example/return",
    status_page_url: "https://pay.example/status",
    currency: "USD",
    total_minor: 1_000,
    requested_total_minor: 1_000,
    platform_fee_bps: 0,
    checkout_status: "SUCCEEDED",
  });
  return id;
}

describe("CheckInvariants notices a stall", () => {
  it("a paid checkout, once booked, leaves no stall", async () => {
    const payment = (await under.client("payment", "marketplace").createPayment(sampleCheckout())).payment!;
    await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
    const report = await waitFor(checkInvariants, (r) => r.violations.length === 0, 15_000, "the books to be clean");
    expect(report.violations).toEqual([]);
  });

  it("reports a charged payment the ledger never booked, and an outbox event NATS refuses, once they are older than the delay", async () => {
    const before = Date.now();
    const paymentId = await chargedWithoutEvent();
    // Over NATS's 1 MiB max_payload: the relay can never publish it.
    await payments("outbox").insert({
      event_id: `evt-${paymentId}`,
      payment_id: paymentId,
      subject: "x.payment.succeeded",
      payload: Buffer.alloc(2 << 20),
    });
    const early = await checkInvariants();
    if (Date.now() - before < STALL_AFTER_MS) expect(stallsIn(early)).toEqual([]); // not older than the delay yet
    const report = await waitFor(checkInvariants, (r) => stallsIn(r).length === 2, 5_000, "the stall to be reported");
    expect(stallsIn(report)).toEqual([
      expect.objectContaining({
        invariant: "settled_not_booked",
        transactionId: `payin:${paymentId}`,
        detail: expect.stringContaining(paymentId),
      }),
      expect.objectContaining({
        invariant: "outbox_events_unpublished",
        detail: expect.stringContaining("1 unpublished events"),
      }),
    ]);
    const metrics = await waitFor(
      () => scrape(under.platform.ledger.metricsUrl),
      // Both: a watch run between the payment's insert and the outbox row's sees only the first.
      (m) =>
        m.value("invariant_violations", { invariant: "settled_not_booked" }) === 1 &&
        m.value("invariant_violations", { invariant: "outbox_events_unpublished" }) === 1,
      5_000,
      "the gauges",
    );
    expect(metrics.value("invariant_violations", { invariant: "dead_letters_waiting" })).toBe(0);

    const admin = await loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);
    const page = await admin.get("/ledger/invariants");
    expect(page.status).toBe(200);
    expect(rowsContaining(page.html, paymentId)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^settled_not_booked payin:${paymentId} payin &#34;${paymentId}&#34; was settled by the payment service`,
        ),
      ),
    ]);
    expect(rowsContaining(page.html, "outbox_events_unpublished")).toHaveLength(1);

    // The row NATS refused stops nothing else: the next checkout is booked.
    const next = await payCheckout(under.client("payment", "marketplace"), sampleCheckout());
    await waitForPosting(under.platform, `payin:${next}`);
  });

  it("reports a charged payment whose pay-in the ledger booked for another amount", async () => {
    const { paymentId } = await paidOrder(under.platform, `seller-amount-${randomUUID()}`, 1_000);
    // As if the payment service had charged one more than it told the ledger.
    await payments("payments").where({ id: paymentId }).update({ total_minor: 1_001 });
    const differs = (r: { violations: { invariant: string; transactionId: string }[] }) =>
      r.violations.filter((v) => v.invariant === "settled_amount_differs" && v.transactionId === `payin:${paymentId}`);
    const report = await waitFor(checkInvariants, (r) => differs(r).length === 1, 5_000, "the amount to differ");
    expect(differs(report)).toEqual([
      expect.objectContaining({
        currency: "USD",
        detail: `payin "${paymentId}" was settled by the payment service for 1001 USD, but "payin:${paymentId}" booked 1000 USD`,
      }),
    ]);
    expect(
      report.violations.filter((v: { transactionId: string }) => v.transactionId === `payin:${paymentId}`),
    ).toHaveLength(1); // booked: not a stall
  });

  it("reports dead letters waiting", async () => {
    const { letters } = await deadLetteredPoisonEvent(under.platform.streams);
    const report = await waitFor(
      checkInvariants,
      (r) => r.violations.some((v: { invariant: string }) => v.invariant === "dead_letters_waiting"),
      5_000,
      "dead letters",
    );
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        invariant: "dead_letters_waiting",
        detail: `${letters.length} dead letters wait in ${under.platform.streams.stream}_DLQ (scripts/dead-letters.ts list)`,
      }),
    );
  });

  it("reports a paid payout the ledger never booked, from the wallet service", async () => {
    const payoutId = `po-stalled-${randomUUID()}`;
    const wallet = knex({ client: "pg", connection: under.platform.database.url, searchPath: [WALLET_SCHEMA] });
    try {
      await wallet("payouts").insert({
        payout_id: payoutId,
        seller_id: "seller-stall",
        currency: "USD",
        amount_minor: 500,
        destination: "ba_1",
        status: "PAID",
      });
    } finally {
      await wallet.destroy();
    }
    const report = await waitFor(
      checkInvariants,
      (r) => r.violations.some((v) => v.transactionId === `payout:${payoutId}:paid`),
      5_000,
      "the payout",
    );
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        invariant: "settled_not_booked",
        detail: expect.stringContaining(`payout "${payoutId}" was settled by the wallet service`),
      }),
    );
  });

  it("GetPipelineHealth and ListSettled answer the ledger and operator-tools only", async () => {
    const window = { since: { seconds: 0n }, settledBefore: { seconds: 1n } };
    await expect(under.client("payment", "operator-tools").getPipelineHealth({ window })).resolves.toBeDefined();
    for (const [service, identity] of [
      ["payment", "marketplace"],
      ["wallet", "console"],
      ["payment", "reconciliation"],
    ] as const) {
      await expect(under.client(service, identity).getPipelineHealth({ window })).rejects.toMatchObject({
        code: Code.PermissionDenied,
      });
      await expect(under.client(service, identity).listSettled({ query: { flow: "payin" } })).rejects.toMatchObject({
        code: Code.PermissionDenied,
      });
    }
  });

  it("refuses a window of more than 31 days", async () => {
    const window = { since: { seconds: 0n }, settledBefore: { seconds: BigInt(32 * 86_400) } };
    await expect(under.client("wallet", "operator-tools").getPipelineHealth({ window })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
  });
});
