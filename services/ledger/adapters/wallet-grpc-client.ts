import { createClient, type Client } from "@connectrpc/connect";
import { WalletService } from "../../../gen/wallet/v1/wallet_pb.js";
import { callWithRetry } from "../../lib/grpc-call.js";
import { grpcTransport } from "../../lib/grpc-client.js";
import type { TlsMaterial } from "../../lib/tls/tls-material.js";
import type { WalletBalancesPort } from "../app/ports.js";
import type { WalletBalance } from "../domain/invariants.js";

const PAGE_SIZE = 1000;

/** Reads every seller's wallet balances from the wallet service, page by page. */
export class WalletGrpcClient implements WalletBalancesPort {
  private readonly client: Client<typeof WalletService>;

  constructor(baseUrl: string, tls: TlsMaterial) {
    this.client = createClient(WalletService, grpcTransport(baseUrl, tls, { server: "wallet", timeoutMs: 10_000 }));
  }

  async listAll(): Promise<WalletBalance[]> {
    const balances: WalletBalance[] = [];
    let pageToken = "";
    do {
      const page = await this.listPage(pageToken);
      for (const { sellerId, available } of page.balances) {
        if (available === undefined)
          throw new Error(`the wallet service answered a balance of seller "${sellerId}" without an amount`);
        balances.push({ sellerId, currency: available.currency, availableMinor: available.amountMinor });
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return balances;
  }

  private listPage(pageToken: string) {
    return callWithRetry(() => this.client.listBalances({ sellerId: "", pageSize: PAGE_SIZE, pageToken }), "wallet");
  }
}
