import { randomUUID } from "node:crypto";
import { isKnownCurrency } from "../../lib/money.js";
import { attempt, httpStatusOf, onBehalfOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import { readAmount } from "./amount-field.js";
import type { Route } from "./http-app.js";
import { sendOperatorRequest } from "./operator-request.js";
import { backLink, concat, money, notice, path, query } from "../views/html.js";
import { sellerWallet, walletList } from "../views/wallet-views.js";

const PAGE_SIZE = 100;
/** Sellers' wallet balances, a seller's balances and payouts, and (finance) a payout, audited. */
export function walletRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/wallets$/,
      handle: async (ctx) => {
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const listed = await attempt(() => clients.wallets.listBalances({ pageSize: PAGE_SIZE, pageToken }));
        if (!listed.ok)
          return ctx.page(
            "Wallets",
            notice("error", describeFailure("wallet service", listed.error)),
            httpStatusOf(listed.error),
          );
        return ctx.page("Wallets", walletList(listed.value));
      },
    },
    {
      method: "GET",
      pattern: /^\/wallets\/([^/]+)$/,
      handle: async (ctx) => {
        const sellerId = ctx.params[0]!;
        const requested = ctx.url.searchParams.get("payout");
        const [balances, payouts] = await Promise.all([
          attempt(() => clients.wallets.listBalances({ sellerId, pageSize: PAGE_SIZE })),
          attempt(() =>
            clients.wallets.listPayouts({
              sellerId,
              pageSize: PAGE_SIZE,
              pageToken: ctx.url.searchParams.get("page") ?? "",
            }),
          ),
        ]);
        if (!balances.ok)
          return ctx.page(
            `Seller ${sellerId}`,
            notice("error", describeFailure("wallet service", balances.error)),
            httpStatusOf(balances.error),
          );
        return ctx.page(
          `Seller ${sellerId}`,
          sellerWallet({
            sellerId,
            balances: balances.value.balances,
            payouts,
            operator: ctx.operator,
            csrf: ctx.csrf,
            newPayoutId: () => `console-${randomUUID()}`,
            requested,
          }),
        );
      },
    },
    {
      method: "POST",
      pattern: /^\/wallets\/([^/]+)\/payouts$/,
      role: "finance",
      handle: async (ctx) => {
        const sellerId = ctx.params[0]!;
        const back = backLink(path("wallets", sellerId), "Back to the seller");
        const currency = ctx.form.get("currency") ?? "";
        if (!isKnownCurrency(currency))
          return ctx.page("Not paid out", concat(notice("error", `"${currency}" is not a currency.`), back), 400);
        const read = readAmount(ctx.form.get("amount") ?? "", currency);
        if ("problem" in read) return ctx.page("Not paid out", concat(notice("error", read.problem), back), 400);
        const payoutId = ctx.form.get("payout_id") ?? "";
        return sendOperatorRequest(ctx, {
          name: "payout",
          service: "wallet service",
          target: `seller ${sellerId}`,
          details: { payout_id: payoutId, amount: money(read.amount) },
          send: () =>
            clients.wallets.requestPayout({ payoutId, sellerId, amount: read.amount }, onBehalfOf(ctx.operator.id)),
          recorded: async () => (await attempt(() => clients.wallets.getPayout({ payoutId }))).ok,
          doneLocation: path("wallets", sellerId) + query({ payout: payoutId }),
          resubmit: {
            action: path("wallets", sellerId, "payouts"),
            fields: { payout_id: payoutId, currency, amount: ctx.form.get("amount") ?? "" },
          },
          back,
        });
      },
    },
  ];
}
