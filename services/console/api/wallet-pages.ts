import { PayoutStatus, type Balance, type Payout } from "../../../gen/wallet/v1/wallet_pb.js";
import { attempt, describeFailure, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import type { Route } from "./http-app.js";
import { enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";

const PAGE_SIZE = 100;
const payoutStatus = (s: PayoutStatus) => enumName(PayoutStatus, s, "PAYOUT_STATUS_");

const balanceRow = (b: Balance): SafeHtml =>
  html`<tr><td><a href="${path("wallets", b.sellerId)}">${b.sellerId}</a></td><td class="num">${money(b.available)}</td><td>${time(b.updatedAt)}</td></tr>`;

const payoutRow = (p: Payout): SafeHtml =>
  html`<tr><td>${p.payoutId}</td><td class="num">${money(p.amount)}</td><td class="status">${payoutStatus(p.status)}</td><td>${p.destination}</td><td>${p.pspPayoutId || "-"}</td><td>${p.failureCode ? `${p.failureCode}: ${p.failureMessage}` : ""}</td></tr>`;

/** Sellers' wallet balances, and a seller's balances and payouts. */
export function walletRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/wallets$/,
      handle: async (ctx) => {
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const listed = await attempt(() => clients.wallets.listBalances({ pageSize: PAGE_SIZE, pageToken }));
        if (!listed.ok) return ctx.page("Wallets", notice("error", describeFailure("wallet service", listed.error)), httpStatusOf(listed.error));
        const next = listed.value.nextPageToken ? html`<p><a href="/wallets${query({ page: listed.value.nextPageToken })}">More</a></p>` : "";
        return ctx.page("Wallets", html`${table(["seller", "available", "updated (UTC)"], listed.value.balances.map(balanceRow), "No wallets.")}${next}`);
      },
    },
    {
      method: "GET",
      pattern: /^\/wallets\/([^/]+)$/,
      handle: async (ctx) => {
        const sellerId = ctx.params[0]!;
        const [balances, payouts] = await Promise.all([
          attempt(() => clients.wallets.listBalances({ sellerId, pageSize: PAGE_SIZE })),
          attempt(() => clients.wallets.listPayouts({ sellerId, pageSize: PAGE_SIZE, pageToken: ctx.url.searchParams.get("page") ?? "" })),
        ]);
        if (!balances.ok) return ctx.page(`Seller ${sellerId}`, notice("error", describeFailure("wallet service", balances.error)), httpStatusOf(balances.error));
        const payoutsHtml = payouts.ok
          ? html`${table(["payout", "amount", "status", "destination", "PSP payout", "failure"], payouts.value.payouts.map(payoutRow), "No payouts.")}${payouts.value.nextPageToken ? html`<p><a href="${path("wallets", sellerId) + query({ page: payouts.value.nextPageToken })}">More payouts</a></p>` : ""}`
          : notice("error", describeFailure("wallet service", payouts.error));
        return ctx.page(
          `Seller ${sellerId}`,
          html`<h2>Balances</h2>${table(["seller", "available", "updated (UTC)"], balances.value.balances.map(balanceRow), "No wallet.")}<h2>Payouts</h2>${payoutsHtml}<p><a href="/payments${query({ seller: sellerId })}">Payments with this seller's orders</a></p>`,
        );
      },
    },
  ];
}
