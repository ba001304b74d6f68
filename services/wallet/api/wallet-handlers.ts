import type { PipelineMethods } from "../../lib/pipeline/pipeline-handlers.js";
import type { ConnectRouter } from "@connectrpc/connect";
import { WalletService } from "../../../gen/wallet/v1/wallet_pb.js";
import { notFound } from "../../lib/errors.js";
import { pageSize, pageTokens, type PageTokenKey } from "../../lib/page-token.js";
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
  const balancePages = pageTokens(tokenKey, "wallet.v1.WalletService/ListBalances", { sellerId: "string", currency: "string" });
  const payoutPages = pageTokens(tokenKey, "wallet.v1.WalletService/ListPayouts", { seq: "bigint" });
  return (router: ConnectRouter) =>
    router.service(WalletService, {
      ...pipeline,
      async getBalance(req) {
        const sellerId = requireId("seller_id", req.sellerId);
        const currency = requireCurrency("currency", req.currency);
        const balance = await balances.balance(sellerId, currency);
        return { balance: balanceToProto(balance ?? { sellerId, currency, availableMinor: 0n, updatedAt: new Date(0) }) };
      },
      async listBalances(req) {
        const limit = pageSize(req.pageSize, 100, 1000);
        const page = await balances.list({
          sellerId: req.sellerId === "" ? undefined : requireId("seller_id", req.sellerId),
          after: balancePages.decode(req.pageToken),
          limit,
        });
        const last = page[page.length - 1];
        return {
          balances: page.map(balanceToProto),
          nextPageToken: page.length === limit && last ? balancePages.encode({ sellerId: last.sellerId, currency: last.currency }) : "",
        };
      },
      async setPayoutAccount(req) {
        const account = await payouts.setAccount(requireId("seller_id", req.sellerId), requireDestination("destination", req.destination));
        return { payoutAccount: payoutAccountToProto(account) };
      },
      async requestPayout(req) {
        const payout = await flow.request(validatePayoutRequest({ payoutId: req.payoutId, sellerId: req.sellerId, amount: req.amount }));
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
        const limit = pageSize(req.pageSize, 20, 100);
        const page = await payouts.list(sellerId, payoutPages.decode(req.pageToken)?.seq, limit);
        const last = page[page.length - 1];
        return {
          payouts: page.map(payoutToProto),
          nextPageToken: page.length === limit && last ? payoutPages.encode({ seq: last.seq }) : "",
        };
      },
    });
}
