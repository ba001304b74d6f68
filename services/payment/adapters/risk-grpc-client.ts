import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Decision, RiskService } from "../../../gen/risk/v1/risk_pb.js";
import { unavailable } from "../../lib/errors.js";
import { retry } from "../../lib/retry.js";
import type { RiskPort } from "../app/ports.js";
import type { Payment, RiskDecision, RiskResult } from "../domain/payment.js";

const DECISIONS: Partial<Record<Decision, RiskDecision>> = {
  [Decision.APPROVE]: "APPROVE",
  [Decision.REVIEW]: "REVIEW",
  [Decision.REJECT]: "REJECT",
};

const TRANSIENT = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted]);

export class RiskGrpcClient implements RiskPort {
  private readonly client: Client<typeof RiskService>;

  constructor(baseUrl: string) {
    this.client = createClient(RiskService, createGrpcTransport({ baseUrl, pingIntervalMs: 30_000, defaultTimeoutMs: 5_000 }));
  }

  async assess(payment: Payment): Promise<RiskResult> {
    const res = await retry(
      () =>
        this.client.assess({
          paymentId: payment.id,
          buyerId: payment.buyerId,
          buyerCountry: payment.buyerCountry,
          amount: { amountMinor: payment.total, currency: payment.currency },
        }),
      (err) => TRANSIENT.has(ConnectError.from(err).code),
    ).catch((err: unknown) => {
      const error = ConnectError.from(err);
      if (TRANSIENT.has(error.code)) throw unavailable(`the risk service is not answering (${error.rawMessage}); retry later`);
      throw error;
    });
    const decision = DECISIONS[res.decision];
    if (decision === undefined) throw new Error(`risk service answered an unknown decision ${res.decision}`);
    return { decision, reasons: res.reasons.map(({ code, message }) => ({ code, message })) };
  }
}
