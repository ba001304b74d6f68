import type { ConnectRouter } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { WalletService } from "../../../gen/wallet/v1/wallet_pb.js";
import { decodePageToken, encodePageToken, pageSize } from "../../lib/page-token.js";
import { requireCurrency, requireId } from "../../lib/validate.js";
import type { Balance, WalletStore } from "../store/wallet-store.js";

const toProto = (b: Balance) => ({
  sellerId: b.sellerId,
  available: { amountMinor: b.availableMinor, currency: b.currency },
  updatedAt: timestampFromDate(b.updatedAt),
});

export function walletRoutes(store: WalletStore) {
  return (router: ConnectRouter) =>
    router.service(WalletService, {
      async getBalance(req) {
        const sellerId = requireId("seller_id", req.sellerId);
        const currency = requireCurrency("currency", req.currency);
        const balance = await store.balance(sellerId, currency);
        return { balance: toProto(balance ?? { sellerId, currency, availableMinor: 0n, updatedAt: new Date(0) }) };
      },
      async listBalances(req) {
        const limit = pageSize(req.pageSize, 100, 1000);
        const cursor = decodePageToken(req.pageToken, ["sellerId", "currency"]);
        const balances = await store.list({
          sellerId: req.sellerId === "" ? undefined : requireId("seller_id", req.sellerId),
          after: cursor && { sellerId: cursor.sellerId!, currency: cursor.currency! },
          limit,
        });
        const last = balances[balances.length - 1];
        return {
          balances: balances.map(toProto),
          nextPageToken: balances.length === limit && last ? encodePageToken({ sellerId: last.sellerId, currency: last.currency }) : "",
        };
      },
    });
}
