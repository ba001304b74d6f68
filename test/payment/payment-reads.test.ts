import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { present } from "../../services/lib/invariant.js";
import { encodePaymentEvent, paymentEventSubject } from "../../services/contracts/events/payment-event.js";
import { checkout } from "../../services/payment/app/testing/checkout-input.js";
import { priceCheckout, validateCheckout } from "../../services/payment/domain/checkout.js";
import type { PspPayment } from "../../services/payment/domain/psp-payment.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { PaymentStore } from "../../services/payment/store/payment-store.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/**
 * A status change reads the payment's row once, with the statement that locks it: every checkout makes two (its
 * registration at the PSP, the PSP's answer), each under the row lock that webhooks and pollers wait on, in five
 * round trips. A payment
 * is read with its orders by one statement, so that the row and the orders (which give its status) are of one moment.
 */
let database: TestDatabase;
let db: Db;
let store: PaymentStore;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, PAYMENT_SCHEMA);
  await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations);
  store = new PaymentStore(db, encodePaymentEvent, paymentEventSubject);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** The SQL that `work` sends. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const note = ({ sql }: { sql: string }) => void sent.push(sql);
  db.on("query", note);
  try {
    await work();
  } finally {
    db.off("query", note);
  }
  return sent;
}

const readsOfThePaymentRow = (statements: string[]) =>
  statements.filter((sql) => /^\s*select [\s\S]* from "?payments"? /.test(sql));

/** A status change's round trips: the lock reading the row and orders, the orders moved, the row stamped with its history and event. */
const A_STATUS_CHANGE = [
  /^BEGIN/,
  /for update of p for no key update of o$/,
  /^update "payment_orders" set "status"/,
  /^with stamped as \(update "payments"[\s\S]*insert into status_history[\s\S]*insert into "outbox"/,
  /^COMMIT/,
].map((re) => expect.stringMatching(re));

async function registeredPayment(checkoutId: string) {
  const priced = priceCheckout(validateCheckout(checkout({ checkoutId })), 250);
  const { id } = await store.createOrGet(priced, "fingerprint", {
    id: `pay_${checkoutId}`,
    statusPageUrl: "https://pay.example/status",
  });
  const psp: PspPayment = {
    id: `pi_${checkoutId}`,
    reference: id,
    status: "requires_payment_method",
    amountMinor: priced.total,
    currency: priced.currency,
    hostedPageUrl: `https://psp.example/pay/${checkoutId}`,
    declineCode: null,
    failureMessage: null,
    amountCapturedMinor: 0n,
    cancellationReason: null,
    pendingReason: null,
  };
  return { id, psp };
}

describe("a payment's status change", () => {
  it("registration: one locking read of the row, and the payment answered carries the PSP's ids", async () => {
    const { id, psp } = await registeredPayment("chk_registration");
    let moved: Awaited<ReturnType<PaymentStore["recordRegistration"]>>;
    const statements = await statementsOf(async () => (moved = await store.recordRegistration(id, psp)));
    expect(statements).toEqual(A_STATUS_CHANGE);
    expect(moved).toMatchObject({ status: "EXECUTING", pspPaymentId: psp.id, hostedPageUrl: psp.hostedPageUrl });
    expect(await store.get(id)).toMatchObject({ status: "EXECUTING", pspPaymentId: psp.id });
  });

  it("the PSP's answer: one locking read of the row", async () => {
    const { id, psp } = await registeredPayment("chk_answer");
    await store.recordRegistration(id, psp);
    const statements = await statementsOf(() => store.transition(id, { to: "SUCCEEDED" }));
    expect(statements).toEqual(A_STATUS_CHANGE);
    expect(await store.get(id)).toMatchObject({ status: "SUCCEEDED", pspPaymentId: psp.id });
    // The event as encoded, byte for byte (a payload bound as text would be read back as bytea's escapes).
    const events: { event_id: string; payload: Buffer }[] = await db("outbox").where({ payment_id: id }).orderBy("id");
    const succeeded = present(events[1], "the payment's second event");
    const stamped = present(await store.get(id), "the payment");
    expect(new Uint8Array(succeeded.payload)).toEqual(
      encodePaymentEvent(stamped, succeeded.event_id, stamped.updatedAt),
    );
  });

  it("a change the state machine refuses reads the row once and moves nothing", async () => {
    const { id, psp } = await registeredPayment("chk_refused");
    await store.recordRegistration(id, psp);
    await store.transition(id, { to: "SUCCEEDED" });
    let moved: boolean | undefined;
    const statements = await statementsOf(async () => (moved = await store.transition(id, { to: "FAILED" })));
    expect(moved).toBe(false);
    expect(readsOfThePaymentRow(statements)).toEqual([expect.stringMatching(/ for update of p /)]);
    expect((await store.get(id))?.status).toBe("SUCCEEDED");
  });
});

describe("a payment read", () => {
  it("is one statement, the row and its orders together, however it is found", async () => {
    const { id, psp } = await registeredPayment("chk_read");
    await store.recordRegistration(id, psp);
    const priced = priceCheckout(validateCheckout(checkout({ checkoutId: "chk_read" })), 250);
    const reads = {
      get: () => store.get(id),
      byPsp: () => store.getByPspPaymentId(psp.id),
      again: () => store.createOrGet(priced, "fingerprint", { id: "pay_unused", statusPageUrl: "" }),
      list: async () => (await store.list({ buyerId: priced.buyerId, limit: 10 })).payments[0],
    };
    for (const [name, read] of Object.entries(reads)) {
      let payment: Awaited<ReturnType<typeof store.get>>;
      const statements = await statementsOf(async () => (payment = await read()));
      const reading = statements.filter((sql) => /\bfrom "payments"/.test(sql));
      expect(reading.at(-1), name).toMatch(/from "payments" as "p" inner join "payment_orders" as "o"/);
      expect(
        statements.filter((sql) => /^select .* from "payment_orders"/.test(sql)),
        name,
      ).toEqual([]);
      expect(payment, name).toMatchObject({ id, status: "EXECUTING", hostedPageUrl: psp.hostedPageUrl });
      expect(payment?.orders.length, name).toBeGreaterThan(0);
      expect(
        payment?.orders.every((o) => o.status === "EXECUTING"),
        name,
      ).toBe(true);
    }
  });
});

describe("a new checkout", () => {
  it("is recorded by one statement, payment and orders, and answered as read back", async () => {
    const priced = priceCheckout(validateCheckout(checkout({ checkoutId: "chk_new" })), 250);
    let created: Awaited<ReturnType<typeof store.createOrGet>> | undefined;
    const statements = await statementsOf(
      async () =>
        (created = await store.createOrGet(priced, "fingerprint", { id: "pay_chk_new", statusPageUrl: "https://s" })),
    );
    expect(statements).toEqual([expect.stringMatching(/^\s*with created as \(insert into "payments"/)]);
    expect(created).toEqual(await store.get("pay_chk_new"));
    expect(created?.orders.map((o) => o.orderId)).toEqual(priced.orders.map((o) => o.orderId));
  });
});
