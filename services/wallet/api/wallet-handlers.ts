import type { PipelineMethods } from "../../lib/pipeline/pipeline-handlers.js";
import type { ConnectRouter } from "@connectrpc/connect";
import { WalletService } from "../../../gen/wallet/v1/wallet_pb.js";
import { notFound } from "../../lib/errors.js";
import { listPages } from "../../lib/page-cursor.js";
import type { PageTokenKey } from "../../lib/page-token.js";
import { requireCurrency, requireId } from "../../lib/validate.js";
import type { PayoutFlow } from "../app/payout-flow.js";
import { requireDestination, validatePayoutRequest } from "../domain/payout.js";
import type { PayoutStore } from "../store/payout-store.js";
import type { WalletStore } from "../store/wallet-store.js";
import { balanceToProto, payoutAccountToProto, payoutToProto } from "./wallet-proto.js";

export interface WalletApi {
  balances: WalletStore;
  payouts: PayoutStore;
  flow: PayoutFlow;
  tokenKey: PageTokenKey;
  pipeline: PipelineMethods;
}

/** gRPC wallet.v1.WalletService: validate, delegate, translate. */
export function walletRoutes({ balances, payouts, flow, tokenKey, pipeline }: WalletApi) {
  const balancePages = listPages(
    tokenKey,
    "wallet.v1.WalletService/ListBalances",
    { sellerId: "string", currency: "string" },
    { default: 100, max: 1000 },
  );
  const payoutPages = listPages(
    tokenKey,
    "wallet.v1.WalletService/ListPayouts",
    { seq: "bigint" },
    { default: 20, max: 100 },
  );
  return (router: ConnectRouter) =>
    router.service(WalletService, {
      ...pipeline,
      async getBalance(req) {
        const sellerId = requireId("seller_id", req.sellerId);
        const currency = requireCurrency("currency", req.currency);
        const balance = await balances.balance(sellerId, currency);
        return {
          balance: balanceToProto(balance ?? { sellerId, currency, availableMinor: 0n, updatedAt: new Date(0) }),
        };
      },
      async listBalances(req) {
        const { after, limit } = balancePages.request(req);
        const page = await balances.list({
          sellerId: req.sellerId === "" ? undefined : requireId("seller_id", req.sellerId),
          after,
          limit,
        });
        return {
          balances: page.map(balanceToProto),
          nextPageToken: balancePages.next(page, limit, (last) => ({
            sellerId: last.sellerId,
            currency: last.currency,
          })),
        };
      },
      async setPayoutAccount(req) {
        const account = await payouts.setAccount(
          requireId("seller_id", req.sellerId),
          requireDestination("destination", req.destination),
        );
        return { payoutAccount: payoutAccountToProto(account) };
      },
      async requestPayout(req) {
        const payout = await flow.request(
          validatePayoutRequest({ payoutId: req.payoutId, sellerId: req.sellerId, amount: req.amount }),
        );
        return { payout: payoutToProto(payout) };
      },
      async getPayout(req) {
        const payoutId = requireId("payout_id", req.payoutId);
        const payout = await payouts.get(payoutId);
        if (payout === undefined) throw notFound(`payout "${payoutId}" does not exist`);
        return { payout: payoutToProto(payout) };
      },
      async listPayouts(req) {
        const sellerId = requireId("seller_id", req.sellerId);
        const { after, limit } = payoutPages.request(req);
        const page = await payouts.list(sellerId, after?.seq, limit);
        return {
          payouts: page.map(payoutToProto),
          nextPageToken: payoutPages.next(page, limit, (last) => ({ seq: last.seq })),
        };
      },
    });
}
