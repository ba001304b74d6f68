import { callerOf } from "../../lib/auth/caller.js";
import { assertMayPostUnder } from "../domain/reserved-ids.js";
import type { ConnectRouter } from "@connectrpc/connect";
import { LedgerService } from "../../../gen/ledger/v1/ledger_pb.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { listPages } from "../../lib/page-cursor.js";
import type { PageTokenKey } from "../../lib/page-token.js";
import type { WalletBalancesPort } from "../app/ports.js";
import { forecastRevenueFromBooks } from "../app/revenue-forecast.js";
import type { StallReport } from "../app/stall-check.js";
import { requireLedgerId } from "../../contracts/accounting/accounts.js";
import { validateAccount } from "../domain/account.js";
import { validatePosting } from "../../contracts/accounting/postings.js";
import { requireRevenueQuery } from "../domain/revenue.js";
import type { LedgerStore } from "../store/ledger-store.js";
import {
  accountToProto,
  accountTypeFromProto,
  balanceToProto,
  directionFromProto,
  entriesToColumns,
  granularityFromProto,
  postedEntryToProto,
  transactionToProto,
  violationToProto,
} from "./ledger-proto.js";
import { revenueForecastToProto } from "./forecast-proto.js";
import { requirePrefixes, requireReadMask, requireTransactionIds, requireWindow } from "./lookup-requests.js";

/** gRPC ledger.v1.LedgerService: validate, delegate, translate. `wallets` is absent when no wallet service is configured. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: to be split into named parts (issue 19, item 5)
export function ledgerRoutes(
  store: LedgerStore,
  wallets: WalletBalancesPort | undefined,
  tokenKey: PageTokenKey,
  stalls: () => Promise<StallReport>,
) {
  const accountPages = listPages(
    tokenKey,
    "ledger.v1.LedgerService/ListAccounts",
    { code: "string" },
    { default: 100, max: 500 },
  );
  const entryPages = listPages(
    tokenKey,
    "ledger.v1.LedgerService/ListEntries",
    { xid: "bigint", transactionId: "string", position: "number" },
    { default: 100, max: 500 },
  );
  const transactionIdPages = listPages(
    tokenKey,
    "ledger.v1.LedgerService/ListTransactionIds",
    { postedAt: "string", transactionId: "string" },
    { default: 1000, max: 10_000 },
  );
  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: to be split into named parts (issue 19, item 5)
  return (router: ConnectRouter) =>
    router.service(LedgerService, {
      async openAccount(req) {
        if (req.account === undefined) throw invalidArgument("account", "is required");
        const { code, type, currency } = req.account;
        const account = await store.openAccount(
          validateAccount("account", { code, type: accountTypeFromProto(type), currency }),
        );
        return { account: accountToProto(account) };
      },
      async postTransaction(req, ctx) {
        const posting = validatePosting({
          transactionId: req.transactionId,
          description: req.description,
          entries: req.entries.map((e) => ({
            accountCode: e.accountCode,
            direction: directionFromProto(e.direction),
            amount: e.amount,
          })),
        });
        assertMayPostUnder(posting.transactionId, callerOf(ctx).identity);
        const { transaction } = await store.post(posting);
        return { transaction: transactionToProto(transaction) };
      },
      async getTransaction(req) {
        const id = requireLedgerId("transaction_id", req.transactionId);
        const transaction = await store.getTransaction(id);
        if (transaction === undefined) throw notFound(`transaction "${id}" does not exist`);
        return { transaction: transactionToProto(transaction) };
      },
      async getBalance(req) {
        const code = requireLedgerId("account_code", req.accountCode);
        const balance = await store.balance(code);
        if (balance === undefined) throw notFound(`account "${code}" does not exist`);
        return balanceToProto(balance);
      },
      async listAccounts(req) {
        const prefix = req.codePrefix === "" ? undefined : requireLedgerId("code_prefix", req.codePrefix);
        const { after, limit } = accountPages.request(req);
        const accounts = await store.listBalances({ prefix, afterCode: after?.code, limit: limit + 1 });
        const page = accounts.slice(0, limit);
        const last = page.at(-1);
        return {
          accounts: page.map(balanceToProto),
          nextPageToken: accountPages.token(accounts.length > limit && last ? { code: last.account.code } : undefined),
        };
      },
      async listEntries(req) {
        const accountCode = req.accountCode === "" ? undefined : requireLedgerId("account_code", req.accountCode);
        const { after, limit } = entryPages.request(req);
        if (accountCode !== undefined && (await store.getAccount(accountCode)) === undefined) {
          throw notFound(`account "${accountCode}" does not exist`);
        }
        const page = await store.listEntries({ accountCode, after, limit });
        return {
          entries: page.entries.map(postedEntryToProto),
          nextPageToken: entryPages.token(page.next),
        };
      },
      async lookupTransactions(req) {
        const fields = requireReadMask(req.readMask);
        const transactions = await store.lookupTransactions(
          requireTransactionIds(req.transactionIds),
          requirePrefixes("account_prefixes", req.accountPrefixes, 0),
        );
        return { transactions: transactions.map((t) => transactionToProto(t, fields)) };
      },
      async lookupEntries(req) {
        const ids = requireTransactionIds(req.transactionIds);
        return entriesToColumns(
          ids,
          await store.lookupTransactions(ids, requirePrefixes("account_prefixes", req.accountPrefixes, 1)),
        );
      },
      async listTransactionIds(req) {
        const window = requireWindow(req);
        const page = await store.listTransactionIds({ ...window, ...transactionIdPages.request(req) });
        return {
          transactionIds: page.transactionIds,
          nextPageToken: transactionIdPages.token(page.next),
        };
      },
      async getRevenue(req) {
        const { fromDay, toDay, currency } = req;
        const query = requireRevenueQuery({
          fromDay,
          toDay,
          currency,
          granularity: granularityFromProto(req.granularity),
        });
        // The domain's periods carry the message's field names.
        return { periods: await store.revenue(query) };
      },
      async forecastRevenue(req) {
        return revenueForecastToProto(
          await forecastRevenueFromBooks(store, { currency: req.currency, horizonDays: req.horizonDays }),
        );
      },
      async checkInvariants() {
        const report = await store.checkInvariants(await wallets?.listAll());
        const stalled = await stalls();
        return {
          violations: [...report.violations, ...stalled.violations].map(violationToProto),
          notes: [...report.notes, ...stalled.notes],
        };
      },
    });
}
