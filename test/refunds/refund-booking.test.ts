import { randomUUID } from "node:crypto";
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RefundStatus } from "../../gen/payment/v1/payment_pb.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { listDeadLetters } from "../../services/lib/events/dead-letters.js";
import { LEDGER_REFUND_DURABLE } from "../../services/ledger/events/refund-consumer.js";
import { WALLET_REFUND_DURABLE, walletRefundHandler } from "../../services/wallet/events/refund-consumer.js";
import { WALLET_SCHEMA } from "../../services/wallet/store/migrations/index.js";
import { WalletStore } from "../../services/wallet/store/wallet-store.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import { startTestPlatform, type TestPlatform } from "../support/platform.js";
import { waitFor } from "../support/wait.js";
import {
  consumersIdle,
  expectBooksClean,
  ledgerBalance,
  paidOrder,
  postedEntries,
  waitForPosting,
  walletBalance,
} from "../ledger/platform-books.js";
import { encodeRefund, publishRefund, refundEvent, type RefundInit } from "./refund-events.js";

let platform: TestPlatform;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let walletDb: Db;

beforeAll(async () => {
  platform = await startTestPlatform({ consumers: { ackWaitMs: 1_000, maxDeliver: 3, retryBaseMs: 50 } });
  nc = await connectAs(HARNESS);
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  walletDb = createDb(platform.database.url, WALLET_SCHEMA);
});

afterAll(async () => {
  await walletDb?.destroy();
  await nc?.close();
  await platform?.close();
});

const publish = (event: RefundInit, msgID?: string, status?: string) =>
  publishRefund(js, platform.streams, event, msgID, status);

const movementsOf = async (eventId: string) =>
  Number((await walletDb("movements").where({ event_id: eventId }).count({ n: "*" }))[0]!.n);

describe("a succeeded refund", () => {
  it("is booked once in the ledger as the reverse of the pay-in, and debited once from the wallet, whatever the duplicates", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const { paymentId, netMinor, feeMinor } = await paidOrder(platform, sellerId, 10_000);
    expect([netMinor, feeMinor]).toEqual([9_750n, 250n]);

    const event = refundEvent(sellerId, paymentId, 100n, 3_900n);
    await publish(event);
    expect((await publish(event)).duplicate).toBe(true);
    // Past JetStream's duplicate window a republish gets through: the inboxes stop it.
    expect((await publish(event, `${event.eventId}:late`)).duplicate).toBe(false);

    expect(await waitForPosting(platform, `refund:${event.refundId}`)).toEqual([
      `Dr seller_payable:${sellerId}:USD 3900`,
      "Dr platform_fee_revenue:USD 100",
      "Cr psp_receivable:USD 4000",
    ]);
    await consumersIdle(platform);
    expect(await walletBalance(platform, sellerId, "USD")).toBe(5_850n);
    expect(await ledgerBalance(platform, `seller_payable:${sellerId}:USD`)).toBe(5_850n);
    expect(await movementsOf(event.eventId!)).toBe(1);
    await expectBooksClean(platform);
  });

  it("applied by a consumer that died before its ack has no second effect when redelivered", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const { paymentId } = await paidOrder(platform, sellerId, 2_000);
    const event = refundEvent(sellerId, paymentId, 50n, 1_950n);
    // The wallet's own handler commits the effect, as a consumer would before acking; the ack never comes.
    await walletRefundHandler(walletDb, new WalletStore(walletDb)).handle({ data: encodeRefund(event) } as JsMsg);
    expect(await walletBalance(platform, sellerId, "USD")).toBe(0n);

    await publish(event);
    await waitForPosting(platform, `refund:${event.refundId}`);
    await consumersIdle(platform);
    expect(await walletBalance(platform, sellerId, "USD")).toBe(0n);
    expect(await movementsOf(event.eventId!)).toBe(1);
    await expectBooksClean(platform);
  });

  it("may take the seller's balance below zero (paid out meanwhile); later sales cover it", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const { paymentId } = await paidOrder(platform, sellerId, 1_000);
    // More than the seller holds: as if the 9.75 had been paid out, and two orders of 10.00 were refunded.
    for (const event of [refundEvent(sellerId, paymentId, 25n, 975n), refundEvent(sellerId, paymentId, 25n, 975n)])
      await publish(event);
    await waitFor(
      () => walletBalance(platform, sellerId, "USD"),
      (b) => b === -975n,
      15_000,
      "the negative balance",
    );
    await expectBooksClean(platform);
    expect(await ledgerBalance(platform, `seller_payable:${sellerId}:USD`)).toBe(-975n);

    await paidOrder(platform, sellerId, 2_000);
    expect(await walletBalance(platform, sellerId, "USD")).toBe(975n);
    await expectBooksClean(platform);
  });

  it("in a currency of another exponent is booked in its own minor units", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const { paymentId, netMinor } = await paidOrder(platform, sellerId, 5_000, "JPY");
    const event = refundEvent(sellerId, paymentId, 13n, 487n, "JPY");
    await publish(event);
    expect(await waitForPosting(platform, `refund:${event.refundId}`)).toEqual([
      `Dr seller_payable:${sellerId}:JPY 487`,
      "Dr platform_fee_revenue:JPY 13",
      "Cr psp_receivable:JPY 500",
    ]);
    await waitFor(
      () => walletBalance(platform, sellerId, "JPY"),
      (b) => b === netMinor - 487n,
      15_000,
      "the JPY debit",
    );
    await expectBooksClean(platform);
  });
});

describe("refund events that move no money, or cannot be booked", () => {
  it("a failed refund moves nothing", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const { paymentId, netMinor } = await paidOrder(platform, sellerId, 1_000);
    const event = refundEvent(sellerId, paymentId, 25n, 975n, "USD", {
      status: RefundStatus.FAILED,
      failureReason: "expired_or_canceled_card",
    });
    await publish(event, event.eventId, "failed");
    await consumersIdle(platform);
    expect(await postedEntries(platform, `refund:${event.refundId}`)).toBeUndefined();
    expect(await walletBalance(platform, sellerId, "USD")).toBe(netMinor);
  });

  it.each([
    [
      "an amount that is not fee + debit",
      { amount: { amountMinor: 1_001n, currency: "USD" } },
      "must be positive and equal platform_fee_reversed 0.25 USD + seller_debit 9.75 USD",
    ],
    [
      "an unknown currency",
      { amount: { amountMinor: 1_000n, currency: "usd" } },
      'amount.currency "usd" is not an ISO 4217 code',
    ],
    ["parts in another currency", { sellerDebit: { amountMinor: 975n, currency: "EUR" } }, "must all be in USD"],
    ["a status other than SUCCEEDED", { status: RefundStatus.PENDING }, "is PENDING, not SUCCEEDED"],
  ])("%s is dead-lettered by both consumers at once, and nothing is booked", async (_what, overrides, reason) => {
    const sellerId = `seller-${randomUUID()}`;
    const { paymentId, netMinor } = await paidOrder(platform, sellerId, 1_000);
    const event = refundEvent(sellerId, paymentId, 25n, 975n, "USD", overrides);
    const { seq } = await publish(event);
    const letters = await waitFor(
      async () => (await listDeadLetters(jsm, platform.streams)).filter((l) => l.streamSeq === seq),
      (found) => found.length === 2,
      15_000,
      "both dead letters",
    );
    expect(letters.map((l) => [l.consumer, l.kind, l.deliveries]).sort()).toEqual([
      [LEDGER_REFUND_DURABLE, "poison", 1],
      [WALLET_REFUND_DURABLE, "poison", 1],
    ]);
    for (const letter of letters) expect(letter.reason).toContain(reason);
    expect(await postedEntries(platform, `refund:${event.refundId}`)).toBeUndefined();
    expect(await walletBalance(platform, sellerId, "USD")).toBe(netMinor);
    await expectBooksClean(platform, { deadLettersLeft: true });
  });
});
