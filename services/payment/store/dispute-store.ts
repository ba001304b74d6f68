import type { Knex } from "knex";
import type { Db } from "../../lib/db.js";
import { present } from "../../lib/invariant.js";
import type { Disputes } from "../app/ports.js";
import type { Dispute, DisputeShare, DisputeStatus } from "../domain/dispute.js";
import { appendToOutbox } from "./outbox.js";

interface DisputeRow {
  id: string;
  payment_id: string;
  currency: string;
  amount_minor: bigint;
  status: DisputeStatus;
  reason: string;
  created_at: Date;
  updated_at: Date;
}

interface ShareRow {
  dispute_id: string;
  order_id: string;
  seller_id: string;
  amount_minor: bigint;
}

/** Serialises the event announcing a dispute's new status. */
export type DisputeEventEncoder = (dispute: Dispute, eventId: string, occurredAt: Date) => Uint8Array;

export class DisputeStore implements Disputes {
  constructor(
    private readonly db: Db,
    private readonly encodeEvent: DisputeEventEncoder,
    private readonly subjectOf: (status: DisputeStatus) => string,
  ) {}

  async ofPayment(paymentId: string): Promise<Dispute[]> {
    const rows: DisputeRow[] = await this.db("disputes").where({ payment_id: paymentId }).orderBy(["created_at", "id"]);
    return this.withShares(this.db, rows);
  }

  /** A dispute on the payment that is open or lost: the buyer's bank is handling (or took) the money back. */
  async unresolvedOrLost(
    trx: Knex.Transaction,
    paymentId: string,
  ): Promise<{ disputeId: string; status: string } | undefined> {
    const row = await trx("disputes")
      .where({ payment_id: paymentId })
      .whereIn("status", ["OPEN", "LOST"])
      .first("id", "status");
    return row && { disputeId: row.id, status: row.status };
  }

  async find(trx: Knex.Transaction, disputeId: string): Promise<Dispute | undefined> {
    const rows: DisputeRow[] = await trx("disputes").where({ id: disputeId });
    return (await this.withShares(trx, rows))[0];
  }

  /** Records a new OPEN dispute and its event, inside the payment's lock. */
  async open(trx: Knex.Transaction, dispute: Omit<Dispute, "status" | "createdAt" | "updatedAt">): Promise<Dispute> {
    await trx("disputes").insert({
      id: dispute.disputeId,
      payment_id: dispute.paymentId,
      currency: dispute.currency,
      amount_minor: dispute.amountMinor,
      status: "OPEN",
      reason: dispute.reason,
    });
    await trx("dispute_shares").insert(
      dispute.shares.map((s: DisputeShare) => ({
        dispute_id: dispute.disputeId,
        order_id: s.orderId,
        seller_id: s.sellerId,
        amount_minor: s.amountMinor,
      })),
    );
    return this.announce(trx, dispute.disputeId);
  }

  /** OPEN -> WON | LOST with its event; undefined when it was already decided. */
  async decide(trx: Knex.Transaction, disputeId: string, status: "WON" | "LOST"): Promise<Dispute | undefined> {
    const updated = await trx("disputes")
      .where({ id: disputeId, status: "OPEN" })
      .update({ status, updated_at: trx.fn.now() });
    return updated === 1 ? this.announce(trx, disputeId) : undefined;
  }

  private async announce(trx: Knex.Transaction, disputeId: string): Promise<Dispute> {
    const dispute = present(await this.find(trx, disputeId), `dispute ${disputeId} reads back once written`);
    await appendToOutbox(trx, dispute.paymentId, this.subjectOf(dispute.status), (eventId) =>
      this.encodeEvent(dispute, eventId, dispute.updatedAt),
    );
    return dispute;
  }

  private async withShares(db: Db | Knex.Transaction, rows: DisputeRow[]): Promise<Dispute[]> {
    if (rows.length === 0) return [];
    const shares: ShareRow[] = await db("dispute_shares")
      .whereIn(
        "dispute_id",
        rows.map((r) => r.id),
      )
      .orderBy(["dispute_id", "order_id"]);
    return rows.map((r) => ({
      disputeId: r.id,
      paymentId: r.payment_id,
      currency: r.currency,
      amountMinor: r.amount_minor,
      status: r.status,
      reason: r.reason,
      shares: shares
        .filter((s) => s.dispute_id === r.id)
        .map((s) => ({ orderId: s.order_id, sellerId: s.seller_id, amountMinor: s.amount_minor })),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }
}
