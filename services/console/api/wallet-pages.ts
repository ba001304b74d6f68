import { randomUUID } from "node:crypto";
import { PayoutStatus, type Balance, type Payout } from "../../../gen/wallet/v1/wallet_pb.js";
import { isKnownCurrency } from "../../lib/money.js";
import { attempt, describeFailure, httpStatusOf, onBehalfOf, type ConsoleClients } from "../adapters/clients.js";
import type { Operator } from "../domain/operators.js";
import { amountInput, readAmount } from "./amount-field.js";
import type { Route } from "./http-app.js";
import { sendOperatorRequest } from "./operator-request.js";
import { csrfField, enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";

const PAGE_SIZE = 100;
const payoutStatus = (s: PayoutStatus) => enumName(PayoutStatus, s, "PAYOUT_STATUS_");

const balanceRow = (b: Balance): SafeHtml =>
  html`<tr><td><a href="${path("wallets", b.sellerId)}">${b.sellerId}</a></td><td class="num">${money(b.available)}</td><td>${time(b.updatedAt)}</td></tr>`;

const payoutRow = (p: Payout): SafeHtml =>
  html`<tr><td>${p.payoutId}</td><td class="num">${money(p.amount)}</td><td class="status">${payoutStatus(p.status)}</td><td>${p.destination}</td><td>${p.pspPayoutId || "-"}</td><td>${p.failureCode ? `${p.failureCode}: ${p.failureMessage}` : ""}</td></tr>`;

/** Finance's payout of part of a positive balance, in that balance's currency, under the form's own payout_id. */
function payoutForm(sellerId: string, balances: Balance[], operator: Operator, csrf: string): SafeHtml {
  const payable = balances.filter((b) => b.available!.amountMinor > 0n);
  if (operator.role !== "finance" || payable.length === 0) return html``;
  return html`${payable.map(
    (b) => html`<form method="post" action="${path("wallets", sellerId, "payouts")}" class="inline">${csrfField(csrf)}
<input type="hidden" name="payout_id" value="${`console-${randomUUID()}`}"><input type="hidden" name="currency" value="${b.available!.currency}">
${amountInput(b.available!.currency)}<button type="submit">Pay out ${b.available!.currency}</button></form>`,
  )}`;
}

/** Sellers' wallet balances, a seller's balances and payouts, and (finance) a payout, audited. */
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
        const requested = ctx.url.searchParams.get("payout");
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
          html`${requested ? notice("info", `Payout ${requested} requested; its status follows below.`) : ""}<h2>Balances</h2>${table(["seller", "available", "updated (UTC)"], balances.value.balances.map(balanceRow), "No wallet.")}${payoutForm(sellerId, balances.value.balances, ctx.operator, ctx.csrf)}<h2>Payouts</h2>${payoutsHtml}<p><a href="/payments${query({ seller: sellerId })}">Payments with this seller's orders</a></p>`,
        );
      },
    },
    {
      method: "POST",
      pattern: /^\/wallets\/([^/]+)\/payouts$/,
      role: "finance",
      handle: async (ctx) => {
        const sellerId = ctx.params[0]!;
        const back = html`<p><a href="${path("wallets", sellerId)}">Back to the seller</a></p>`;
        const currency = ctx.form.get("currency") ?? "";
        if (!isKnownCurrency(currency)) return ctx.page("Not paid out", html`${notice("error", `"${currency}" is not a currency.`)}${back}`, 400);
        const read = readAmount(ctx.form.get("amount") ?? "", currency);
        if ("problem" in read) return ctx.page("Not paid out", html`${notice("error", read.problem)}${back}`, 400);
        const payoutId = ctx.form.get("payout_id") ?? "";
        return sendOperatorRequest(ctx, {
          name: "payout",
          service: "wallet service",
          target: `seller ${sellerId}`,
          details: { payout_id: payoutId, amount: money(read.amount) },
          send: () => clients.wallets.requestPayout({ payoutId, sellerId, amount: read.amount }, onBehalfOf(ctx.operator.id)),
          recorded: async () => (await attempt(() => clients.wallets.getPayout({ payoutId }))).ok,
          doneLocation: path("wallets", sellerId) + query({ payout: payoutId }),
          resubmit: { action: path("wallets", sellerId, "payouts"), fields: { payout_id: payoutId, currency, amount: ctx.form.get("amount") ?? "" } },
          back,
        });
      },
    },
  ];
}
