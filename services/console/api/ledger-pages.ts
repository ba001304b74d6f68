import { AccountType, Direction, type Entry } from "../../../gen/ledger/v1/ledger_pb.js";
import { attempt, describeFailure, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { redirect, type Route } from "./http-app.js";
import { enumName, html, money, notice, path, query, table, time, type SafeHtml } from "../views/html.js";

const PAGE_SIZE = 50;
const accountLink = (code: string) => html`<a href="${path("ledger", "accounts", code)}">${code}</a>`;
const transactionLink = (id: string) => html`<a href="${path("ledger", "transactions", id)}">${id}</a>`;

/** Debits and credits in their own columns, as accountants read them. */
const amountCells = (e: Entry | undefined): SafeHtml =>
  e?.direction === Direction.DEBIT ? html`<td class="num">${money(e.amount)}</td><td></td>` : html`<td></td><td class="num">${money(e?.amount)}</td>`;

export function ledgerRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/ledger$/,
      handle: async (ctx) => {
        const transaction = (ctx.url.searchParams.get("transaction") ?? "").trim();
        if (transaction) return redirect(path("ledger", "transactions", transaction));
        const prefix = (ctx.url.searchParams.get("prefix") ?? "").trim();
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const forms = html`<form class="inline" method="get" action="/ledger"><label>Transaction id <input name="transaction" placeholder="payin:pay_..."></label><button type="submit">Open</button></form>
<p><a href="/ledger/invariants">Check the books</a> (CheckInvariants: balances, wallets, and events stalled on their way).</p>
<form class="inline" method="get" action="/ledger"><label>Accounts starting with <input name="prefix" value="${prefix}" placeholder="seller_payable:"></label><button type="submit">List</button></form>
<p>Accounts: <code>psp_receivable:&lt;currency&gt;</code>, <code>seller_payable:&lt;seller&gt;:&lt;currency&gt;</code>, <code>platform_fee_revenue:&lt;currency&gt;</code>, <code>payouts_in_transit:&lt;currency&gt;</code>, <code>bank:platform:&lt;currency&gt;</code>, <code>disputed_funds:&lt;currency&gt;</code>.</p>`;
        const listed = await attempt(() => clients.ledger.listAccounts({ codePrefix: prefix, pageSize: PAGE_SIZE, pageToken }));
        if (!listed.ok) return ctx.page("Ledger", html`${forms}${notice("error", describeFailure("ledger service", listed.error))}`, httpStatusOf(listed.error));
        const rows = listed.value.accounts.map(
          (a) =>
            html`<tr><td>${accountLink(a.account!.code)}</td><td>${enumName(AccountType, a.account!.type, "ACCOUNT_TYPE_").toLowerCase()}</td><td class="num">${money(a.balance)}</td><td class="num">${money(a.totalDebits)}</td><td class="num">${money(a.totalCredits)}</td></tr>`,
        );
        const next = listed.value.nextPageToken ? html`<p><a href="/ledger${query({ prefix, page: listed.value.nextPageToken })}">Next accounts</a></p>` : "";
        return ctx.page("Ledger", html`${forms}<h2>Accounts and balances</h2>${table(["account", "type", "balance", "debits", "credits"], rows, "No accounts.")}${next}`);
      },
    },
    {
      method: "GET",
      pattern: /^\/ledger\/transactions\/([^/]+)$/,
      handle: async (ctx) => {
        const transactionId = ctx.params[0]!;
        const got = await attempt(() => clients.ledger.getTransaction({ transactionId }));
        if (!got.ok) return ctx.page(`Transaction ${transactionId}`, notice("error", describeFailure("ledger service", got.error)), httpStatusOf(got.error));
        const t = got.value.transaction!;
        const rows = t.entries.map((e) => html`<tr><td>${accountLink(e.accountCode)}</td>${amountCells(e)}</tr>`);
        const payment = /^payin:(.+)$/.exec(t.transactionId)?.[1];
        return ctx.page(
          `Transaction ${t.transactionId}`,
          html`<dl id="transaction" data-transaction-id="${t.transactionId}"><dt>Description</dt><dd>${t.description}</dd><dt>Posted</dt><dd>${time(t.postedAt)}</dd>
${payment ? html`<dt>Payment</dt><dd><a href="${path("payments", payment)}">${payment}</a></dd>` : ""}</dl>
<h2>Entries</h2>
${table(["account", "debit", "credit"], rows)}`,
        );
      },
    },
    {
      method: "GET",
      pattern: /^\/ledger\/accounts\/([^/]+)$/,
      handle: async (ctx) => {
        const accountCode = ctx.params[0]!;
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const [balance, entries] = await Promise.all([
          attempt(() => clients.ledger.getBalance({ accountCode })),
          attempt(() => clients.ledger.listEntries({ accountCode, pageSize: PAGE_SIZE, pageToken })),
        ]);
        if (!balance.ok) return ctx.page(`Account ${accountCode}`, notice("error", describeFailure("ledger service", balance.error)), httpStatusOf(balance.error));
        const b = balance.value;
        const entriesHtml = entries.ok
          ? html`${table(
              ["posted (UTC)", "transaction", "debit", "credit"],
              entries.value.entries.map((e) => html`<tr><td>${time(e.postedAt)}</td><td>${transactionLink(e.transactionId)}</td>${amountCells(e.entry)}</tr>`),
              "No entries.",
            )}${entries.value.nextPageToken ? html`<p><a href="${path("ledger", "accounts", accountCode) + query({ page: entries.value.nextPageToken })}">More entries</a></p>` : ""}`
          : notice("error", describeFailure("ledger service", entries.error));
        return ctx.page(
          `Account ${accountCode}`,
          html`<dl id="account"><dt>Type</dt><dd>${b.account ? enumName(AccountType, b.account.type, "ACCOUNT_TYPE_") : "-"}</dd>
<dt>Balance</dt><dd id="balance">${money(b.balance)}</dd><dt>Total debits</dt><dd>${money(b.totalDebits)}</dd><dt>Total credits</dt><dd>${money(b.totalCredits)}</dd></dl>
<h2>Entries</h2>
${entriesHtml}`,
        );
      },
    },
  ];
}
