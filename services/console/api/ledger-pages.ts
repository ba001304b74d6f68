import { attempt, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import { redirect, type Route } from "./http-app.js";
import { concat, notice, path } from "../views/html.js";
import { accountDetail, accountList, ledgerForms, transactionDetail } from "../views/ledger-views.js";

const PAGE_SIZE = 50;

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
        const listed = await attempt(() =>
          clients.ledger.listAccounts({ codePrefix: prefix, pageSize: PAGE_SIZE, pageToken }),
        );
        if (!listed.ok)
          return ctx.page(
            "Ledger",
            concat(ledgerForms(prefix), notice("error", describeFailure("ledger service", listed.error))),
            httpStatusOf(listed.error),
          );
        return ctx.page("Ledger", accountList(prefix, listed.value));
      },
    },
    {
      method: "GET",
      pattern: /^\/ledger\/transactions\/([^/]+)$/,
      handle: async (ctx) => {
        const transactionId = ctx.params[0]!;
        const got = await attempt(() => clients.ledger.getTransaction({ transactionId }));
        if (!got.ok)
          return ctx.page(
            `Transaction ${transactionId}`,
            notice("error", describeFailure("ledger service", got.error)),
            httpStatusOf(got.error),
          );
        const t = got.value.transaction!;
        return ctx.page(`Transaction ${t.transactionId}`, transactionDetail(t));
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
        if (!balance.ok)
          return ctx.page(
            `Account ${accountCode}`,
            notice("error", describeFailure("ledger service", balance.error)),
            httpStatusOf(balance.error),
          );
        return ctx.page(`Account ${accountCode}`, accountDetail(accountCode, balance.value, entries));
      },
    },
  ];
}
