import { createClient } from "@connectrpc/connect";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { WalletService } from "../../../gen/wallet/v1/wallet_pb.js";
import { grpcTransport } from "../../lib/grpc-client.js";
import type { TlsMaterial } from "../../lib/tls/tls-material.js";
import type { PipelineSource } from "../app/ports.js";
import { pipelineSource } from "./pipeline-grpc-client.js";

/** The services whose settled items the ledger books, those of them that are configured. */
export function pipelineSources(urls: { paymentUrl?: string; walletUrl?: string }, tls: TlsMaterial): PipelineSource[] {
  const transport = (url: string, server: "payment" | "wallet") =>
    grpcTransport(url, tls, { server, timeoutMs: 10_000 });
  return [
    ...(urls.paymentUrl
      ? [
          pipelineSource(
            "payment",
            ["payin", "refund"],
            createClient(PaymentService, transport(urls.paymentUrl, "payment")),
          ),
        ]
      : []),
    ...(urls.walletUrl
      ? [pipelineSource("wallet", ["payout"], createClient(WalletService, transport(urls.walletUrl, "wallet")))]
      : []),
  ];
}
