import type { ConnectRouter } from "@connectrpc/connect";
import { Decision as ProtoDecision, RiskService } from "../../../gen/risk/v1/risk_pb.js";
import { invalidArgument } from "../../lib/errors.js";
import { optionalCountry, requireId, requirePositiveMoney } from "../../lib/validate.js";
import type { Decision } from "../domain/rules.js";
import type { RiskStore } from "../store/risk-store.js";

const protoDecision: Record<Decision, ProtoDecision> = {
  APPROVE: ProtoDecision.APPROVE,
  REVIEW: ProtoDecision.REVIEW,
  REJECT: ProtoDecision.REJECT,
};

export function riskRoutes(store: RiskStore) {
  return (router: ConnectRouter) =>
    router.service(RiskService, {
      async assess(req) {
        const paymentId = requireId("payment_id", req.paymentId);
        const assessment = await store.assessOnce(paymentId, {
          buyerId: requireId("buyer_id", req.buyerId),
          buyerCountry: optionalCountry("buyer_country", req.buyerCountry),
          amount: requirePositiveMoney("amount", req.amount),
        });
        return {
          decision: protoDecision[assessment.decision],
          reasons: assessment.reasons.map(({ code, message }) => ({ code, message })),
        };
      },
      async blockBuyer(req) {
        if (req.reason.trim() === "") throw invalidArgument("reason", "is required: say why the buyer is blocked");
        await store.blockBuyer(requireId("buyer_id", req.buyerId), req.reason.trim());
        return {};
      },
      async unblockBuyer(req) {
        await store.unblockBuyer(requireId("buyer_id", req.buyerId));
        return {};
      },
    });
}
