import {
  AccountType,
  Direction,
  type AccountBalance,
  type Entry,
  type GetBalanceResponse,
  type ListEntriesResponse,
  type Transaction,
} from "../../../gen/ledger/v1/ledger_pb.js";
import { describeFailure, type Outcome } from "./outcome.js";
import { enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";

const accountLink = (code: string) => html`<a href="${path("ledger", "accounts", code)}">${code}</a>`;
const transactionLink = (id: string) => html`<a href="${path("ledger", "transactions", id)}">${id}</a>`;

/** Debits and credits in their own columns, as accountants read them. */
const amountCells = (e: Entry | undefined): SafeHtml =>
  e?.direction === Direction.DEBIT
    ? html`<td class="num">${money(e.amount)}</td><td></td>`
    : html`<td></td><td class="num">${money(e?.amount)}</td>`;

/** Opening a transaction, the books check, and listing accounts by a prefix of their code. */
export const ledgerForms = (
  prefix: string,
): SafeHtml => html`<form class="inline" method="get" action="/ledger"><label>Transaction id <input name="transaction" placeholder="payin:pay_..."></label><button type="submit">Open</button></form>
<p><a href="/ledger/invariants">Check the books</a> (CheckInvariants: balances, wallets, and events stalled on their way).</p>
<form class="inline" method="get" action="/ledger"><label>Accounts starting with <input name="prefix" value="${prefix}" placeholder="seller_payable:"></label><button type="submit">List</button></form>
<p>Accounts: <code>psp_receivable:&lt;currency&gt;</code>, <code>seller_payable:&lt;seller&gt;:&lt;currency&gt;</code>, <code>platform_fee_revenue:&lt;currency&gt;</code>, <code>payouts_in_transit:&lt;currency&gt;</code>, <code>bank:platform:&lt;currency&gt;</code>, <code>disputed_funds:&lt;currency&gt;</code>.</p>`;

/** The forms, then a page of accounts with their balances and a link to the next. */
export function accountList(prefix: string, listed: { accounts: AccountBalance[]; nextPageToken: string }): SafeHtml {
  const rows = listed.accounts.map(
    (a) =>
      html`<tr><td>${accountLink(a.account!.code)}</td><td>${enumName(AccountType, a.account!.type, "ACCOUNT_TYPE_").toLowerCase()}</td><td class="num">${money(a.balance)}</td><td class="num">${money(a.totalDebits)}</td><td class="num">${money(a.totalCredits)}</td></tr>`,
  );
  const next = listed.nextPageToken
    ? html`<p><a href="/ledger${query({ prefix, page: listed.nextPageToken })}">Next accounts</a></p>`
    : "";
  return html`${ledgerForms(prefix)}<h2>Accounts and balances</h2>${table(["account", "type", "balance", "debits", "credits"], rows, "No accounts.")}${next}`;
}

/** A transaction's entries, and the payment a pay-in is of. */
export function transactionDetail(t: Transaction): SafeHtml {
  const rows = t.entries.map((e) => html`<tr><td>${accountLink(e.accountCode)}</td>${amountCells(e)}</tr>`);
  const payment = /^payin:(.+)$/.exec(t.transactionId)?.[1];
  return html`<dl id="transaction" data-transaction-id="${t.transactionId}"><dt>Description</dt><dd>${t.description}</dd><dt>Posted</dt><dd>${time(t.postedAt)}</dd>
${payment ? html`<dt>Payment</dt><dd><a href="${path("payments", payment)}">${payment}</a></dd>` : ""}</dl>
<h2>Entries</h2>
${table(["account", "debit", "credit"], rows)}`;
}

/** An account's type and balance, and a page of its entries. */
export function accountDetail(
  accountCode: string,
  b: GetBalanceResponse,
  entries: Outcome<ListEntriesResponse>,
): SafeHtml {
  const entriesHtml = entries.ok
    ? html`${table(
        ["posted (UTC)", "transaction", "debit", "credit"],
        entries.value.entries.map(
          (e) =>
            html`<tr><td>${time(e.postedAt)}</td><td>${transactionLink(e.transactionId)}</td>${amountCells(e.entry)}</tr>`,
        ),
        "No entries.",
      )}${entries.value.nextPageToken ? html`<p><a href="${path("ledger", "accounts", accountCode) + query({ page: entries.value.nextPageToken })}">More entries</a></p>` : ""}`
    : notice("error", describeFailure("ledger service", entries.error));
  return html`<dl id="account"><dt>Type</dt><dd>${b.account ? enumName(AccountType, b.account.type, "ACCOUNT_TYPE_") : "-"}</dd>
<dt>Balance</dt><dd id="balance">${money(b.balance)}</dd><dt>Total debits</dt><dd>${money(b.totalDebits)}</dd><dt>Total credits</dt><dd>${money(b.totalCredits)}</dd></dl>
<h2>Entries</h2>
${entriesHtml}`;
}
