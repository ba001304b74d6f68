import { createClient, type Client } from "@connectrpc/connect";
import { Decision, RiskService } from "../../../gen/risk/v1/risk_pb.js";
import { callWithRetry } from "../../lib/grpc-call.js";
import { grpcTransport } from "../../lib/grpc-client.js";
import type { TlsMaterial } from "../../lib/tls/tls-material.js";
import type { RiskPort } from "../app/ports.js";
import type { Payment, RiskDecision, RiskResult } from "../domain/payment.js";

const DECISIONS: Partial<Record<Decision, RiskDecision>> = {
  [Decision.APPROVE]: "APPROVE",
  [Decision.REVIEW]: "REVIEW",
  [Decision.REJECT]: "REJECT",
};

export class RiskGrpcClient implements RiskPort {
  private readonly client: Client<typeof RiskService>;

  constructor(baseUrl: string, tls: TlsMaterial) {
    this.client = createClient(RiskService, grpcTransport(baseUrl, tls, { server: "risk", timeoutMs: 5_000 }));
  }

  async assess(payment: Payment): Promise<RiskResult> {
    const res = await callWithRetry(
      () =>
        this.client.assess({
          paymentId: payment.id,
          buyerId: payment.buyerId,
          buyerCountry: payment.buyerCountry,
          amount: { amountMinor: payment.total, currency: payment.currency },
        }),
      "risk",
    );
    const decision = DECISIONS[res.decision];
    if (decision === undefined) throw new Error(`risk service answered an unknown decision ${res.decision}`);
    return { decision, reasons: res.reasons.map(({ code, message }) => ({ code, message })) };
  }
}
