import type { Db } from "../../lib/db.js";
import {
  assess,
  type Assessment,
  type AssessmentInput,
  type Decision,
  type Reason,
  type RiskRules,
} from "../domain/rules.js";

interface AssessmentRow {
  decision: Decision;
  reasons: Reason[];
}

export class RiskStore {
  constructor(
    private readonly db: Db,
    private readonly rules: RiskRules,
  ) {}

  /**
   * Assesses a payment once: asking again for the same payment returns the first decision and does not count
   * twice. Assessments of one buyer are serialised by a transaction-scoped advisory lock, so that concurrent
   * checkouts on any number of instances see each other in the velocity counts.
   */
  async assessOnce(paymentId: string, input: AssessmentInput): Promise<Assessment> {
    return this.db.transaction(async (trx) => {
      // Its own statement: under READ COMMITTED a statement's snapshot is taken when it starts, so with the lock taken
      // inside the read, the read misses the assessment it waited for (tried: six concurrent attempts, four approved).
      await trx.raw("select pg_advisory_xact_lock(hashtextextended(?, 0))", [`risk:buyer:${input.buyerId}`]);
      // One round trip: an earlier assessment of this payment, the buyer's block, and the buyer's recent attempts.
      const { rows } = await trx
        .raw<{
          rows: { existing: AssessmentRow | null; blocked_reason: string | null; attempts: string; sum: string }[];
        }>(
          `select (select json_build_object('decision', decision, 'reasons', reasons) from risk_assessments where payment_id = ?) as existing,
                (select reason from blocked_buyers where buyer_id = ?) as blocked_reason,
                count(*) as attempts,
                coalesce(sum(amount_minor) filter (where decision <> 'REJECT' and currency = ?), 0)::bigint as sum
         from risk_assessments where buyer_id = ? and created_at > now() - make_interval(secs => ?)`,
          [paymentId, input.buyerId, input.amount.currency, input.buyerId, this.rules.velocity.windowSeconds],
        )
        // Named, as the insert: each connection parses and plans it once (measured: 0.08 ms of backend CPU, not 0.21).
        .options({ name: "risk_assess_read" });
      const { existing, blocked_reason: blockedReason, attempts, sum } = rows[0]!;
      if (existing) return { decision: existing.decision, reasons: existing.reasons };
      const assessment = assess(
        input,
        { blockedReason: blockedReason ?? undefined, recentAttempts: Number(attempts), recentSum: BigInt(sum) },
        this.rules,
      );
      await trx("risk_assessments")
        .insert({
          payment_id: paymentId,
          buyer_id: input.buyerId,
          buyer_country: input.buyerCountry,
          currency: input.amount.currency,
          amount_minor: input.amount.amountMinor,
          decision: assessment.decision,
          reasons: JSON.stringify(assessment.reasons),
        })
        .options({ name: "risk_assess_insert" });
      return assessment;
    });
  }

  async blockBuyer(buyerId: string, reason: string): Promise<void> {
    await this.db("blocked_buyers").insert({ buyer_id: buyerId, reason }).onConflict("buyer_id").merge(["reason"]);
  }

  async unblockBuyer(buyerId: string): Promise<void> {
    await this.db("blocked_buyers").where({ buyer_id: buyerId }).delete();
  }
}
