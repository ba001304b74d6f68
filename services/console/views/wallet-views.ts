import { PayoutStatus, type Balance, type Payout } from "../../../gen/wallet/v1/wallet_pb.js";
import { describeFailure, type Outcome } from "./outcome.js";
import type { Operator } from "../domain/operators.js";
import { amountInput } from "./amount-input.js";
import { csrfField, enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";

const payoutStatus = (s: PayoutStatus) => enumName(PayoutStatus, s, "PAYOUT_STATUS_");

const balanceRow = (b: Balance): SafeHtml =>
  html`<tr><td><a href="${path("wallets", b.sellerId)}">${b.sellerId}</a></td><td class="num">${money(b.available)}</td><td>${time(b.updatedAt)}</td></tr>`;

const payoutRow = (p: Payout): SafeHtml =>
  html`<tr><td>${p.payoutId}</td><td class="num">${money(p.amount)}</td><td class="status">${payoutStatus(p.status)}</td><td>${p.destination}</td><td>${p.pspPayoutId || "-"}</td><td>${p.failureCode ? `${p.failureCode}: ${p.failureMessage}` : ""}</td></tr>`;

/** Finance's payout of part of a positive balance, in that balance's currency, each form under a payout_id of its own. */
function payoutForm(
  sellerId: string,
  balances: Balance[],
  operator: Operator,
  csrf: string,
  newPayoutId: () => string,
): SafeHtml {
  const payable = balances.filter((b) => b.available!.amountMinor > 0n);
  if (operator.role !== "finance" || payable.length === 0) return html``;
  return html`${payable.map(
    (b) => html`<form method="post" action="${path("wallets", sellerId, "payouts")}" class="inline">${csrfField(csrf)}
<input type="hidden" name="payout_id" value="${newPayoutId()}"><input type="hidden" name="currency" value="${b.available!.currency}">
${amountInput(b.available!.currency)}<button type="submit">Pay out ${b.available!.currency}</button></form>`,
  )}`;
}

/** A page of every seller's balances, and a link to the next. */
export function walletList(listed: { balances: Balance[]; nextPageToken: string }): SafeHtml {
  const next = listed.nextPageToken
    ? html`<p><a href="/wallets${query({ page: listed.nextPageToken })}">More</a></p>`
    : "";
  return html`${table(["seller", "available", "updated (UTC)"], listed.balances.map(balanceRow), "No wallets.")}${next}`;
}

export interface SellerWalletView {
  sellerId: string;
  balances: Balance[];
  payouts: Outcome<{ payouts: Payout[]; nextPageToken: string }>;
  operator: Operator;
  csrf: string;
  newPayoutId: () => string;
  /** The payout just requested, from the address. */
  requested: string | null;
}

/** A seller's balances, (finance) the payout forms, and its payouts. */
export function sellerWallet(v: SellerWalletView): SafeHtml {
  const payoutsHtml = v.payouts.ok
    ? html`${table(["payout", "amount", "status", "destination", "PSP payout", "failure"], v.payouts.value.payouts.map(payoutRow), "No payouts.")}${v.payouts.value.nextPageToken ? html`<p><a href="${path("wallets", v.sellerId) + query({ page: v.payouts.value.nextPageToken })}">More payouts</a></p>` : ""}`
    : notice("error", describeFailure("wallet service", v.payouts.error));
  return html`${v.requested ? notice("info", `Payout ${v.requested} requested; its status follows below.`) : ""}<h2>Balances</h2>${table(["seller", "available", "updated (UTC)"], v.balances.map(balanceRow), "No wallet.")}${payoutForm(v.sellerId, v.balances, v.operator, v.csrf, v.newPayoutId)}<h2>Payouts</h2>${payoutsHtml}<p><a href="/payments${query({ seller: v.sellerId })}">Payments with this seller's orders</a></p>`;
}
