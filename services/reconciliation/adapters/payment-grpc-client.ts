import { createClient, type Client, Code, ConnectError } from "@connectrpc/connect";
import { PaymentService, PaymentStatus } from "../../../gen/payment/v1/payment_pb.js";
import { callWithRetry } from "../../lib/grpc-call.js";
import { grpcTransport } from "../../lib/grpc-client.js";
import type { TlsMaterial } from "../../lib/tls/tls-material.js";
import type { PaymentsPort } from "../app/ports.js";

/** payment.v1.PaymentService over gRPC: RefreshPayment, for missed webhooks. */
export class PaymentGrpcClient implements PaymentsPort {
  private readonly client: Client<typeof PaymentService>;

  constructor(baseUrl: string, tls: TlsMaterial) {
    this.client = createClient(PaymentService, grpcTransport(baseUrl, tls, { server: "payment", timeoutMs: 30_000 }));
  }

  async refreshPayment(paymentId: string): Promise<{ status: string } | undefined> {
    const answer = await callWithRetry(
      () =>
        this.client.refreshPayment({ paymentId }).catch((err: unknown) => {
          if (ConnectError.from(err).code === Code.NotFound) return undefined;
          throw err;
        }),
      "payment",
    );
    return answer && { status: PaymentStatus[answer.payment?.status ?? PaymentStatus.UNSPECIFIED] };
  }
}
