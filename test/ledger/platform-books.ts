import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { expect } from "vitest";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { createDb } from "../../services/lib/db.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { WALLET_SCHEMA } from "../../services/wallet/store/migrations/index.js";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { CheckInvariantsResponseSchema, Direction } from "../../gen/ledger/v1/ledger_pb.js";
import type { Identity } from "../../services/lib/tls/identity.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import type { TestPlatform } from "../support/platform.js";
import { waitFor } from "../support/wait.js";

/** Helpers for tests that move money through the running platform and check the books. */

/** Who calls each service in these tests. */
const CALLERS = { payment: "marketplace", wallet: "marketplace", ledger: "operator-tools" } as const satisfies Record<
  string,
  Identity
>;
type BooksService = keyof typeof CALLERS;

const clients = new Map<string, ServiceClient<BooksService>>();

/** A typed client of whichever instance the platform runs now (a test may restart one), kept per address. */
export function clientOf<S extends BooksService>(platform: TestPlatform, service: S): ServiceClient<S> {
  const url = platform[service].url;
  const key = `${service} ${url}`;
  if (!clients.has(key)) clients.set(key, serviceClient(service, url, CALLERS[service]));
  return clients.get(key) as ServiceClient<S>;
}

export const money = (amountMinor: bigint | number, currency: string) => ({
  amountMinor: BigInt(amountMinor),
  currency,
});

export async function walletBalance(platform: TestPlatform, sellerId: string, currency: string): Promise<bigint> {
  return (await clientOf(platform, "wallet").getBalance({ sellerId, currency })).balance!.available!.amountMinor;
}

/** An account's balance in its normal direction; 0 for an account not opened yet. */
export async function ledgerBalance(platform: TestPlatform, accountCode: string): Promise<bigint> {
  try {
    return (await clientOf(platform, "ledger").getBalance({ accountCode })).balance!.amountMinor;
  } catch (err) {
    if (ConnectError.from(err).code === Code.NotFound) return 0n;
    throw err;
  }
}

/** A transaction's entries as "Dr account amount" lines, or undefined while it is not posted. */
export async function postedEntries(platform: TestPlatform, transactionId: string): Promise<string[] | undefined> {
  try {
    const { transaction } = await clientOf(platform, "ledger").getTransaction({ transactionId });
    return transaction!.entries.map(
      (e) => `${e.direction === Direction.DEBIT ? "Dr" : "Cr"} ${e.accountCode} ${e.amount!.amountMinor}`,
    );
  } catch (err) {
    if (ConnectError.from(err).code === Code.NotFound) return undefined;
    throw err;
  }
}

export const waitForPosting = (platform: TestPlatform, transactionId: string) =>
  waitFor(
    () => postedEntries(platform, transactionId),
    (entries) => entries !== undefined,
    15_000,
    `transaction ${transactionId}`,
  ) as Promise<string[]>;

/**
 * A succeeded pay-in of one order of `sellerId`, paid on the hosted page; resolves once the ledger and the wallet
 * have both booked it, with the seller's net and the platform's fee as the ledger booked them.
 */
export async function paidOrder(
  platform: TestPlatform,
  sellerId: string,
  amountMinor: bigint | number,
  currency = "USD",
) {
  const before = await walletBalance(platform, sellerId, currency);
  const { payment } = await clientOf(platform, "payment").createPayment({
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    orders: [{ orderId: "o1", sellerId, amount: money(amountMinor, currency) }],
  });
  await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
  const entries = await waitForPosting(platform, `payin:${payment!.paymentId}`);
  const amountOf = (prefix: string) => BigInt(entries.find((e) => e.startsWith(`Cr ${prefix}`))?.split(" ")[2] ?? 0);
  const netMinor = amountOf("seller_payable:");
  await waitFor(
    () => walletBalance(platform, sellerId, currency),
    (b) => b === before + netMinor,
    15_000,
    `the wallet credit of ${sellerId}`,
  );
  return { paymentId: payment!.paymentId, netMinor, feeMinor: amountOf("platform_fee_revenue:") };
}

/** Unpublished outbox rows of the services that publish events (a schema not migrated by this platform counts none). */
async function unpublishedEvents(platform: TestPlatform): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const schema of [PAYMENT_SCHEMA, WALLET_SCHEMA]) {
    const db = createDb(platform.database.url, schema, 1);
    try {
      const { rows } = await db.raw("select to_regclass('outbox') is not null as present");
      if (rows[0].present)
        counts[schema] = Number((await db("outbox").whereNull("published_at").count({ n: "*" }))[0]!.n);
    } finally {
      await db.destroy();
    }
  }
  return counts;
}

/**
 * Waits until every outbox is published and every durable of the platform's stream has taken and acked everything:
 * an event still in an outbox (a relay backing off after an outage) would reach the ledger and the wallet later.
 */
export async function consumersIdle(platform: TestPlatform): Promise<void> {
  await waitFor(
    () => unpublishedEvents(platform),
    (counts) => Object.values(counts).every((n) => n === 0),
    30_000,
    "the outboxes to be published",
  );
  const nc = await connectAs(HARNESS);
  try {
    const jsm = await jetstreamManager(nc);
    const busy = async () => {
      const durables = await jsm.consumers.list(platform.streams.stream).next();
      return durables.filter((c) => c.num_pending > 0 || c.num_ack_pending > 0).map((c) => c.name);
    };
    await waitFor(busy, (names) => names.length === 0, 15_000, "the consumers to be idle");
  } finally {
    await nc.close();
  }
}

/**
 * CheckInvariants finds nothing wrong (once every event is consumed); `deadLettersLeft`: but for the dead letters the
 * test made on purpose, which the check rightly reports as waiting.
 */
export async function expectBooksClean(platform: TestPlatform, { deadLettersLeft = false } = {}): Promise<void> {
  await consumersIdle(platform);
  const report = await clientOf(platform, "ledger").checkInvariants({});
  const violations = report.violations.filter((v) => !(deadLettersLeft && v.invariant === "dead_letters_waiting"));
  expect({ ...report, violations }).toEqual(create(CheckInvariantsResponseSchema));
}
