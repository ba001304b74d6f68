import { RiskService } from "../../../gen/risk/v1/risk_pb.js";
import { definePolicy } from "../../lib/auth/policy.js";

export const riskPolicy = definePolicy(RiskService, {
  // Only the payment service assesses: a forged assessment would count against an honest buyer's velocity.
  assess: { callers: ["payment"], mutates: true, retryOnStoreOutage: true },
  blockBuyer: { callers: ["operator-tools"], mutates: true, retryOnStoreOutage: true },
  unblockBuyer: { callers: ["operator-tools"], mutates: true, retryOnStoreOutage: true },
});
