/**
 * The plans PostgreSQL picks, on the database as it is now, for the statements the payment service's stores send
 * for one CreatePayment (idempotency recall, createOrGet, recordRisk, recordRegistration, get, remember) and for the
 * PSP webhook's lookup of the payment; each explained with the values it was sent with.
 */
import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import pg from "pg";
import { newId } from "../../services/lib/ids.js";
import { checkout } from "../../services/payment/app/testing/checkout-input.js";
import { priceCheckout, validateCheckout } from "../../services/payment/domain/checkout.js";
import { IdempotencyStore } from "../../services/payment/store/idempotency-store.js";
import type { PaymentStore } from "../../services/payment/store/payment-store.js";

export interface StatementPlan {
  sql: string;
  /** The plan's nodes, outermost first. */
  nodes: string[];
}

async function statementsOf(db: Knex, work: () => Promise<unknown>): Promise<{ sql: string; bindings: unknown[] }[]> {
  const sent: { sql: string; bindings: unknown[] }[] = [];
  const note = (q: { sql: string; bindings?: unknown[] }) => void sent.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on("query", note);
  try {
    await work();
  } finally {
    db.off("query", note);
  }
  return sent.filter(({ sql }) => /^(select|insert|update|delete)\b/i.test(sql));
}

/** One CreatePayment's statements as the stores send them, on `db` (the payment schema), explained in `schema`. */
export async function createPaymentPlans(
  db: Knex,
  store: PaymentStore,
  url: string,
  schema: string,
): Promise<StatementPlan[]> {
  const saved = new IdempotencyStore(db, 24 * 3_600_000);
  const checkoutId = `plan-${randomBytes(6).toString("hex")}`;
  const statements = await statementsOf(db, async () => {
    await saved.recall(checkoutId);
    const priced = priceCheckout(validateCheckout(checkout({ checkoutId })), 250);
    const payment = await store.createOrGet(priced, "fingerprint", { id: newId("pay"), statusPageUrl: "https://x/" });
    await store.recordRisk(payment.id, { decision: "APPROVE", reasons: [] });
    const pspId = newId("pi");
    await store.recordRegistration(payment.id, {
      id: pspId,
      reference: payment.id,
      status: "requires_payment_method",
      amountMinor: priced.total,
      currency: priced.currency,
      hostedPageUrl: `https://psp.example/pay/${pspId}`,
      declineCode: null,
      failureMessage: null,
      amountCapturedMinor: 0n,
      cancellationReason: null,
      pendingReason: null,
    });
    await store.get(payment.id);
    await saved.remember(checkoutId, "fingerprint", payment.id, new Uint8Array(200));
    await store.getByPspPaymentId(pspId);
  });
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const plans: StatementPlan[] = [];
    for (const { sql, bindings } of statements) {
      const { rows } = await client.query(`explain (costs off) ${sql}`, bindings);
      const nodes = rows
        .map((r: { "QUERY PLAN": string }) => r["QUERY PLAN"].trim().replace(/^->\s*/, ""))
        .filter((line: string) => /Scan|Insert|Update|Delete|Arbiter|Result|Join|Loop/.test(line));
      plans.push({ sql, nodes });
    }
    return plans;
  } finally {
    await client.end();
  }
}
