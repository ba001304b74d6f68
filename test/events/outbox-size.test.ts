import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { EventTooLargeError, MAX_EVENT_BYTES } from "../../services/lib/events/outbox-write.js";
import { priceCheckout } from "../../services/payment/domain/checkout.js";
import { encodePaymentEvent, paymentEventSubject } from "../../services/contracts/events/payment-event.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { PaymentStore } from "../../services/payment/store/payment-store.js";
import { WALLET_SCHEMA, walletMigrations } from "../../services/wallet/store/migrations/index.js";
import { PayoutFlow } from "../../services/wallet/app/payout-flow.js";
import { FakePspPayouts } from "../../services/wallet/app/testing/fake-psp-payouts.js";
import { PayoutStore } from "../../services/wallet/store/payout-store.js";
import { SqlPayoutTransactions } from "../../services/wallet/store/payout-transactions.js";
import { WalletStore } from "../../services/wallet/store/wallet-store.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/** An event larger than the outbox takes is refused, and so is the change it would have announced. */
let database: TestDatabase;
let payment: Db;
let wallet: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  payment = createDb(database.url, PAYMENT_SCHEMA);
  wallet = createDb(database.url, WALLET_SCHEMA);
  await migrateUp(payment, PAYMENT_SCHEMA, paymentMigrations);
  await migrateUp(wallet, WALLET_SCHEMA, walletMigrations);
});

afterAll(async () => {
  await payment?.destroy();
  await wallet?.destroy();
  await database?.drop();
});

const rowsOf = async (db: Db, table: string, where: Record<string, string>) =>
  Number((await db(table).where(where).count({ n: "*" }))[0]!.n);

async function newPayment(store: PaymentStore) {
  const checkout = priceCheckout(
    {
      captureMethod: "AUTOMATIC",
      checkoutId: `cart-${randomUUID()}`,
      buyerId: "buyer-1",
      buyerCountry: "US",
      returnUrl: "",
      embedOrigins: [],
      currency: "USD",
      total: 1_000n,
      orders: [{ orderId: "o1", sellerId: "seller-1", amountMinor: 1_000n }],
    },
    250,
  );
  return store.createOrGet(checkout, "fingerprint", {
    id: `pay_${randomUUID()}`,
    statusPageUrl: "http://127.0.0.1/status",
  });
}

const registration = (paymentId: string) => ({
  id: `pi_${randomUUID()}`,
  reference: paymentId,
  status: "requires_payment_method" as const,
  amountMinor: 1_000n,
  currency: "USD",
  hostedPageUrl: "http://127.0.0.1/pay",
  declineCode: null,
  failureMessage: null,
  amountCapturedMinor: 0n,
  cancellationReason: null,
  pendingReason: null,
});

describe("the outbox's size limit", () => {
  it("a payment whose event would be too large is not moved: the PSP's id, the status, its history and the event all roll back", async () => {
    const oversized = new PaymentStore(payment, () => new Uint8Array(MAX_EVENT_BYTES + 1), paymentEventSubject);
    const { id: paymentId } = await newPayment(oversized);

    const refused = oversized.recordRegistration(paymentId, registration(paymentId));
    await expect(refused).rejects.toBeInstanceOf(EventTooLargeError);
    await expect(refused).rejects.toMatchObject({
      kind: "failed_precondition",
      message: expect.stringContaining(`more than the ${MAX_EVENT_BYTES} an event may have`),
    });

    expect(await oversized.get(paymentId)).toMatchObject({ status: "NOT_STARTED" });
    expect(await payment("payments").where({ id: paymentId }).first("psp_payment_id")).toEqual({
      psp_payment_id: null,
    });
    expect(await rowsOf(payment, "status_history", { payment_id: paymentId, status: "EXECUTING" })).toBe(0);
    expect(await rowsOf(payment, "outbox", { payment_id: paymentId })).toBe(0);

    // The same change with an event of ordinary size goes through.
    const ordinary = new PaymentStore(payment, encodePaymentEvent, paymentEventSubject);
    expect(await ordinary.recordRegistration(paymentId, registration(paymentId))).toMatchObject({
      status: "EXECUTING",
    });
    expect(await rowsOf(payment, "outbox", { payment_id: paymentId })).toBe(1);
  });

  it("a payout failure whose PSP message would make the event too large stays PENDING with its amount still taken", async () => {
    const balances = new WalletStore(wallet);
    const payouts = new PayoutStore(wallet);
    const psp = new FakePspPayouts();
    const flow = new PayoutFlow(
      payouts,
      new SqlPayoutTransactions(wallet, payouts, balances),
      psp,
      createLogger("wallet"),
    );
    await wallet.transaction((trx) =>
      balances.move(trx, "evt_sale", "USD", [{ sellerId: "seller-1", amountMinor: 5_000n }], "payin"),
    );
    await payouts.setAccount("seller-1", "ba_1");
    const payout = await flow.request({
      payoutId: "po-1",
      sellerId: "seller-1",
      amount: { amountMinor: 2_000n, currency: "USD" },
    });
    const available = async () => (await balances.balance("seller-1", "USD"))?.availableMinor;
    expect(await available()).toBe(3_000n);

    psp.finish(payout.payoutId, "failed", { code: "account_closed", message: "x".repeat(MAX_EVENT_BYTES) });
    await expect(flow.refresh(payout)).rejects.toBeInstanceOf(EventTooLargeError);

    expect(await payouts.get(payout.payoutId)).toMatchObject({ status: "PENDING", failure: undefined });
    expect(await available()).toBe(3_000n);
    expect(await rowsOf(wallet, "outbox", { payout_id: payout.payoutId })).toBe(1);
  });
});
