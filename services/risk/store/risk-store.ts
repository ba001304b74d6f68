import type { Db } from "../../lib/db.js";
import { assess, type Assessment, type AssessmentInput, type Decision, type Reason, type RiskRules } from "../domain/rules.js";

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
      await trx.raw("select pg_advisory_xact_lock(hashtextextended(?, 0))", [`risk:buyer:${input.buyerId}`]);
      const existing: AssessmentRow | undefined = await trx("risk_assessments").where({ payment_id: paymentId }).first("decision", "reasons");
      if (existing) return { decision: existing.decision, reasons: existing.reasons };

      const blocked = await trx("blocked_buyers").where({ buyer_id: input.buyerId }).first("reason");
      const windowStart = trx.raw("now() - make_interval(secs => ?)", [this.rules.velocity.windowSeconds]);
      const recent = await trx("risk_assessments")
        .where({ buyer_id: input.buyerId })
        .andWhere("created_at", ">", windowStart)
        .first(
          trx.raw("count(*) as attempts"),
          trx.raw("coalesce(sum(amount_minor) filter (where decision <> 'REJECT' and currency = ?), 0)::bigint as sum", [
            input.amount.currency,
          ]),
        );
      const assessment = assess(
        input,
        { blockedReason: blocked?.reason, recentAttempts: Number(recent.attempts), recentSum: BigInt(recent.sum) },
        this.rules,
      );
      await trx("risk_assessments").insert({
        payment_id: paymentId,
        buyer_id: input.buyerId,
        buyer_country: input.buyerCountry,
        currency: input.amount.currency,
        amount_minor: input.amount.amountMinor,
        decision: assessment.decision,
        reasons: JSON.stringify(assessment.reasons),
      });
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
