import { callerOf } from "../../lib/auth/caller.js";
import { assertMayPostUnder } from "../domain/reserved-ids.js";
import type { ConnectRouter } from "@connectrpc/connect";
import { LedgerService } from "../../../gen/ledger/v1/ledger_pb.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { badPageToken, decodePageToken, encodePageToken, pageSize } from "../../lib/page-token.js";
import type { WalletBalancesPort } from "../app/ports.js";
import { requireLedgerId, validateAccount } from "../domain/account.js";
import { validatePosting } from "../domain/posting.js";
import type { EntryCursor, LedgerStore, TransactionCursor } from "../store/ledger-store.js";
import {
  accountToProto,
  accountTypeFromProto,
  balanceToProto,
  directionFromProto,
  entriesToColumns,
  postedEntryToProto,
  transactionToProto,
  violationToProto,
} from "./ledger-proto.js";
import { requirePrefixes, requireReadMask, requireTransactionIds, requireWindow } from "./lookup-requests.js";

const encodeEntryCursor = (c: EntryCursor) =>
  encodePageToken({ xid: c.xid.toString(), transactionId: c.transactionId, position: c.position.toString() });

function decodeEntryCursor(token: string): EntryCursor | undefined {
  const cursor = decodePageToken(token, ["xid", "transactionId", "position"]);
  if (cursor === undefined) return undefined;
  if (!/^\d{1,19}$/.test(cursor.xid!) || !/^\d{1,9}$/.test(cursor.position!)) throw badPageToken();
  return { xid: BigInt(cursor.xid!), transactionId: cursor.transactionId!, position: Number(cursor.position) };
}

const encodeTransactionCursor = (c: TransactionCursor) => encodePageToken({ postedAt: c.postedAt, transactionId: c.transactionId });

function decodeTransactionCursor(token: string): TransactionCursor | undefined {
  const cursor = decodePageToken(token, ["postedAt", "transactionId"]);
  if (cursor === undefined) return undefined;
  // PostgreSQL's text form of a timestamptz, as the store wrote it.
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(cursor.postedAt!)) throw badPageToken();
  return { postedAt: cursor.postedAt!, transactionId: cursor.transactionId! };
}

/** gRPC ledger.v1.LedgerService: validate, delegate, translate. `wallets` is absent when no wallet service is configured. */
export function ledgerRoutes(store: LedgerStore, wallets: WalletBalancesPort | undefined) {
  return (router: ConnectRouter) =>
    router.service(LedgerService, {
      async openAccount(req) {
        if (req.account === undefined) throw invalidArgument("account", "is required");
        const { code, type, currency } = req.account;
        const account = await store.openAccount(validateAccount("account", { code, type: accountTypeFromProto(type), currency }));
        return { account: accountToProto(account) };
      },
      async postTransaction(req, ctx) {
        const posting = validatePosting({
          transactionId: req.transactionId,
          description: req.description,
          entries: req.entries.map((e) => ({ accountCode: e.accountCode, direction: directionFromProto(e.direction), amount: e.amount })),
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
        const limit = pageSize(req.pageSize, 100, 500);
        const afterCode = decodePageToken(req.pageToken, ["code"])?.code;
        const accounts = await store.listBalances({ prefix, afterCode, limit: limit + 1 });
        const page = accounts.slice(0, limit);
        return {
          accounts: page.map(balanceToProto),
          nextPageToken: accounts.length > limit ? encodePageToken({ code: page[page.length - 1]!.account.code }) : "",
        };
      },
      async listEntries(req) {
        const accountCode = req.accountCode === "" ? undefined : requireLedgerId("account_code", req.accountCode);
        const limit = pageSize(req.pageSize, 100, 500);
        const after = decodeEntryCursor(req.pageToken);
        if (accountCode !== undefined && (await store.getAccount(accountCode)) === undefined) {
          throw notFound(`account "${accountCode}" does not exist`);
        }
        const page = await store.listEntries({ accountCode, after, limit });
        return {
          entries: page.entries.map(postedEntryToProto),
          nextPageToken: page.next ? encodeEntryCursor(page.next) : "",
        };
      },
      async lookupTransactions(req) {
        const fields = requireReadMask(req.readMask);
        const transactions = await store.lookupTransactions(requireTransactionIds(req.transactionIds), requirePrefixes("account_prefixes", req.accountPrefixes, 0));
        return { transactions: transactions.map((t) => transactionToProto(t, fields)) };
      },
      async lookupEntries(req) {
        const ids = requireTransactionIds(req.transactionIds);
        return entriesToColumns(ids, await store.lookupTransactions(ids, requirePrefixes("account_prefixes", req.accountPrefixes, 1)));
      },
      async listTransactionIds(req) {
        const page = await store.listTransactionIds({
          ...requireWindow(req),
          limit: pageSize(req.pageSize, 1000, 10_000),
          after: decodeTransactionCursor(req.pageToken),
        });
        return {
          transactionIds: page.transactionIds,
          nextPageToken: page.next ? encodeTransactionCursor(page.next) : "",
        };
      },
      async checkInvariants() {
        const report = await store.checkInvariants(await wallets?.listAll());
        return { violations: report.violations.map(violationToProto), notes: report.notes };
      },
    });
}
