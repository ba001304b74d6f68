import { callerOf } from "../../lib/auth/caller.js";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import {
  LedgerService,
  type ForecastRevenueRequest,
  type GetBalanceRequest,
  type GetRevenueRequest,
  type GetTransactionRequest,
  type ListAccountsRequest,
  type ListEntriesRequest,
  type ListTransactionIdsRequest,
  type LookupEntriesRequest,
  type LookupTransactionsRequest,
  type OpenAccountRequest,
  type PostTransactionRequest,
  type PostTransactionsRequest,
} from "../../../gen/ledger/v1/ledger_pb.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { listPages } from "../../lib/page-cursor.js";
import type { PageTokenKey } from "../../lib/page-token.js";
import type { WalletBalancesPort } from "../app/ports.js";
import { forecastRevenueFromBooks } from "../app/revenue-forecast.js";
import type { StallReport } from "../app/stall-check.js";
import { requireLedgerId } from "../../contracts/accounting/accounts.js";
import { validateAccount } from "../domain/account.js";
import { requireRevenueQuery } from "../domain/revenue.js";
import type { LedgerStore } from "../store/ledger-store.js";
import {
  accountToProto,
  accountTypeFromProto,
  balanceToProto,
  entriesToColumns,
  granularityFromProto,
  postAnswerToProto,
  postedEntryToProto,
  transactionToProto,
  violationToProto,
} from "./ledger-proto.js";
import { revenueForecastToProto } from "./forecast-proto.js";
import { requirePrefixes, requireReadMask, requireTransactionIds, requireWindow } from "./lookup-requests.js";
import { requirePosting, requirePostings } from "./post-requests.js";

/** gRPC ledger.v1.LedgerService: validate, delegate, translate. `wallets` is absent when no wallet service is configured. */
export function ledgerRoutes(
  store: LedgerStore,
  wallets: WalletBalancesPort | undefined,
  tokenKey: PageTokenKey,
  stalls: () => Promise<StallReport>,
) {
  return (router: ConnectRouter) =>
    router.service(LedgerService, {
      ...accountMethods(store, tokenKey),
      ...transactionMethods(store, tokenKey),
      ...revenueMethods(store),
      ...invariantMethods(store, wallets, stalls),
    });
}

/** Accounts, their balances and their entries. */
function accountMethods(store: LedgerStore, tokenKey: PageTokenKey) {
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
  return {
    async openAccount(req: OpenAccountRequest) {
      if (req.account === undefined) throw invalidArgument("account", "is required");
      const { code, type, currency } = req.account;
      const account = await store.openAccount(
        validateAccount("account", { code, type: accountTypeFromProto(type), currency }),
      );
      return { account: accountToProto(account) };
    },
    async getBalance(req: GetBalanceRequest) {
      const code = requireLedgerId("account_code", req.accountCode);
      const balance = await store.balance(code);
      if (balance === undefined) throw notFound(`account "${code}" does not exist`);
      return balanceToProto(balance);
    },
    async listAccounts(req: ListAccountsRequest) {
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
    async listEntries(req: ListEntriesRequest) {
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
  };
}

/** Posting transactions (one, or a batch), and reading them back: one, a batch by id, or the ids of a window. */
function transactionMethods(store: LedgerStore, tokenKey: PageTokenKey) {
  const transactionIdPages = listPages(
    tokenKey,
    "ledger.v1.LedgerService/ListTransactionIds",
    { postedAt: "string", transactionId: "string" },
    { default: 1000, max: 10_000 },
  );
  return {
    async postTransaction(req: PostTransactionRequest, ctx: HandlerContext) {
      const { transaction } = await store.post(requirePosting(req, callerOf(ctx).identity));
      return { transaction: transactionToProto(transaction) };
    },
    async postTransactions(req: PostTransactionsRequest, ctx: HandlerContext) {
      const answers = await store.postMany(requirePostings(req.transactions, callerOf(ctx).identity));
      return { results: answers.map(postAnswerToProto) };
    },
    async getTransaction(req: GetTransactionRequest) {
      const id = requireLedgerId("transaction_id", req.transactionId);
      const transaction = await store.getTransaction(id);
      if (transaction === undefined) throw notFound(`transaction "${id}" does not exist`);
      return { transaction: transactionToProto(transaction) };
    },
    async lookupTransactions(req: LookupTransactionsRequest) {
      const fields = requireReadMask(req.readMask);
      const transactions = await store.lookupTransactions(
        requireTransactionIds(req.transactionIds),
        requirePrefixes("account_prefixes", req.accountPrefixes, 0),
      );
      return { transactions: transactions.map((t) => transactionToProto(t, fields)) };
    },
    async lookupEntries(req: LookupEntriesRequest) {
      const ids = requireTransactionIds(req.transactionIds);
      return entriesToColumns(
        await store.lookupEntries(ids, requirePrefixes("account_prefixes", req.accountPrefixes, 1)),
      );
    },
    async listTransactionIds(req: ListTransactionIdsRequest) {
      const window = requireWindow(req);
      const page = await store.listTransactionIds({ ...window, ...transactionIdPages.request(req) });
      return {
        transactionIds: page.transactionIds,
        nextPageToken: transactionIdPages.token(page.next),
      };
    },
  };
}

/** Revenue from the books, and its forecast. */
function revenueMethods(store: LedgerStore) {
  return {
    async getRevenue(req: GetRevenueRequest) {
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
    async forecastRevenue(req: ForecastRevenueRequest) {
      return revenueForecastToProto(
        await forecastRevenueFromBooks(store, { currency: req.currency, horizonDays: req.horizonDays }),
      );
    },
  };
}

/** CheckInvariants: the books' own rules, the wallets against them (when configured), and what stalled on the way. */
function invariantMethods(
  store: LedgerStore,
  wallets: WalletBalancesPort | undefined,
  stalls: () => Promise<StallReport>,
) {
  return {
    async checkInvariants() {
      const report = await store.checkInvariants(await wallets?.listAll());
      const stalled = await stalls();
      return {
        violations: [...report.violations, ...stalled.violations].map(violationToProto),
        notes: [...report.notes, ...stalled.notes],
      };
    },
  };
}
