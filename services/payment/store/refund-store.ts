import type { Knex } from "knex";
import { claimStaleRows, type Db } from "../../lib/db.js";
import type { Refunds, StoredRefund } from "../app/ports.js";
import type { Refund, RefundStatus } from "../domain/refund.js";
import { appendToOutbox } from "./outbox.js";

interface RefundRow {
  id: string;
  request_fingerprint: string;
  payment_id: string;
  order_id: string;
  seller_id: string;
  currency: string;
  amount_minor: bigint;
  platform_fee_reversed_minor: bigint;
  status: RefundStatus;
  psp_refund_id: string | null;
  reason: string;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

function toRefund(row: RefundRow): StoredRefund {
  return {
    refundId: row.id,
    fingerprint: row.request_fingerprint,
    paymentId: row.payment_id,
    orderId: row.order_id,
    sellerId: row.seller_id,
    currency: row.currency,
    amountMinor: row.amount_minor,
    platformFeeReversedMinor: row.platform_fee_reversed_minor,
    status: row.status,
    pspRefundId: row.psp_refund_id ?? undefined,
    reason: row.reason,
    failureReason: row.failure_reason ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Serialises the event announcing a refund's final status. */
export type RefundEventEncoder = (refund: Refund, eventId: string, occurredAt: Date) => Uint8Array;

export class RefundStore implements Refunds {
  constructor(
    private readonly db: Db,
    private readonly encodeEvent: RefundEventEncoder,
    private readonly subjectOf: (status: RefundStatus) => string,
  ) {}

  async find(refundId: string, db: Db | Knex.Transaction = this.db): Promise<StoredRefund | undefined> {
    const row: RefundRow | undefined = await db("refunds").where({ id: refundId }).first();
    return row && toRefund(row);
  }

  /** A payment's refunds, oldest first. */
  async ofPayment(paymentId: string, db: Db | Knex.Transaction = this.db): Promise<StoredRefund[]> {
    const rows: RefundRow[] = await db("refunds").where({ payment_id: paymentId }).orderBy(["created_at", "id"]);
    return rows.map(toRefund);
  }

  /** A payment order's refunds, oldest first. */
  async ofOrder(trx: Knex.Transaction, paymentId: string, orderId: string): Promise<StoredRefund[]> {
    return (await this.ofPayment(paymentId, trx)).filter((r) => r.orderId === orderId);
  }

  /** Inserts a new PENDING refund, under the payment's lock (which makes its id free: see RefundFlow.refund). */
  async insert(
    trx: Knex.Transaction,
    refund: Omit<Refund, "status" | "createdAt" | "updatedAt">,
    fingerprint: string,
  ): Promise<void> {
    await trx("refunds").insert({
      id: refund.refundId,
      request_fingerprint: fingerprint,
      payment_id: refund.paymentId,
      order_id: refund.orderId,
      seller_id: refund.sellerId,
      currency: refund.currency,
      amount_minor: refund.amountMinor,
      platform_fee_reversed_minor: refund.platformFeeReversedMinor,
      status: "PENDING",
      reason: refund.reason,
    });
  }

  /** Remembers the PSP's refund behind ours; repeating it is harmless. */
  async recordPspRefund(refundId: string, pspRefundId: string): Promise<void> {
    await this.db("refunds")
      .where({ id: refundId })
      .whereNull("psp_refund_id")
      .update({ psp_refund_id: pspRefundId, updated_at: this.db.fn.now() });
  }

  /**
   * Moves a PENDING refund to its final status and writes its event, inside the payment's lock; false when it
   * was already final (a duplicate webhook, or the poller got there first).
   */
  async settle(
    trx: Knex.Transaction,
    refundId: string,
    status: "SUCCEEDED" | "FAILED",
    outcome: { failureReason?: string; platformFeeReversedMinor: bigint },
  ): Promise<StoredRefund | undefined> {
    const [row]: RefundRow[] = await trx("refunds")
      .where({ id: refundId, status: "PENDING" })
      .update({
        status,
        failure_reason: outcome.failureReason ?? null,
        platform_fee_reversed_minor: outcome.platformFeeReversedMinor,
        updated_at: trx.fn.now(),
      })
      .returning("*");
    if (!row) return undefined;
    const refund = toRefund(row);
    await appendToOutbox(trx, refund.paymentId, this.subjectOf(status), (eventId) =>
      this.encodeEvent(refund, eventId, refund.updatedAt),
    );
    return refund;
  }

  /** What each order of the payment has had refunded (SUCCEEDED refunds), by order id. */
  async refundedByOrder(trx: Knex.Transaction, paymentId: string): Promise<Map<string, bigint>> {
    const rows: { order_id: string; total: string }[] = await trx("refunds")
      .where({ payment_id: paymentId, status: "SUCCEEDED" })
      .groupBy("order_id")
      .select("order_id")
      .sum({ total: "amount_minor" });
    return new Map(rows.map((r) => [r.order_id, BigInt(r.total)]));
  }

  /** What the order's SUCCEEDED refunds add up to. */
  async refundedOfOrder(trx: Knex.Transaction, paymentId: string, orderId: string): Promise<bigint> {
    const row = await trx("refunds")
      .where({ payment_id: paymentId, order_id: orderId, status: "SUCCEEDED" })
      .sum({ total: "amount_minor" })
      .first();
    return BigInt(row?.total ?? 0);
  }

  /** Claims up to `limit` PENDING refunds untouched for `staleAfterMs` (see claimStaleRows). */
  async claimStale(staleAfterMs: number, limit: number): Promise<string[]> {
    const rows = await claimStaleRows<{ id: string }>(this.db, {
      table: "refunds",
      key: "id",
      where: "status = 'PENDING'",
      returning: "id",
      staleAfterMs,
      limit,
    });
    return rows.map((r) => r.id);
  }
}
