import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AccountType as ProtoAccountType,
  Direction as ProtoDirection,
  RevenueGranularity as ProtoRevenueGranularity,
  type LookupEntriesResponseSchema,
  type AccountSchema,
  type PostedEntrySchema,
  type PostTransactionResultSchema,
  type TransactionSchema,
  type ViolationSchema,
} from "../../../gen/ledger/v1/ledger_pb.js";
import {
  ACCOUNT_TYPES,
  DIRECTIONS,
  type Account,
  type AccountType,
  type Direction,
} from "../../contracts/accounting/accounts.js";
import type { Violation } from "../domain/invariants.js";
import { GRANULARITIES, type Granularity } from "../domain/revenue.js";
import type { Entry } from "../../contracts/accounting/postings.js";
import type { PostedTransaction } from "../domain/posting.js";
import { codeOfKind } from "../../lib/grpc-server.js";
import type { AccountBalance, EntryColumns, PostAnswer, PostedEntry } from "../store/ledger-store.js";
import { present } from "../../lib/invariant.js";
import { TRANSACTION_FIELDS, type TransactionField } from "./lookup-requests.js";

const ALL_FIELDS: ReadonlySet<TransactionField> = new Set(TRANSACTION_FIELDS);
/** What PostTransactions answers of a transaction posted: the caller sent the rest. */
const POSTED_FIELDS: ReadonlySet<TransactionField> = new Set(["posted_at"]);

/** Translation between the ledger's domain and its protobuf messages; domain names are the proto enum names. */
const known = <T extends string>(name: string | undefined, names: readonly T[]): T | undefined =>
  names.find((n) => n === name);

/** undefined for UNSPECIFIED (or an unknown number), which validation reports as missing. */
export const accountTypeFromProto = (type: ProtoAccountType): AccountType | undefined =>
  known(ProtoAccountType[type], ACCOUNT_TYPES);
export const directionFromProto = (direction: ProtoDirection): Direction | undefined =>
  known(ProtoDirection[direction], DIRECTIONS);
export const granularityFromProto = (granularity: ProtoRevenueGranularity): Granularity | undefined =>
  known(ProtoRevenueGranularity[granularity]?.toLowerCase(), GRANULARITIES);

export const accountToProto = (a: Account): MessageInitShape<typeof AccountSchema> => ({
  code: a.code,
  type: ProtoAccountType[a.type],
  currency: a.currency,
});

const entryToProto = (e: Entry) => ({
  accountCode: e.accountCode,
  direction: ProtoDirection[e.direction],
  amount: e.amount,
});

/** The transaction with the fields asked for (all by default); transaction_id always. */
export const transactionToProto = (
  t: PostedTransaction,
  fields: ReadonlySet<TransactionField> = ALL_FIELDS,
): MessageInitShape<typeof TransactionSchema> => ({
  transactionId: t.transactionId,
  description: fields.has("description") ? t.description : "",
  entries: fields.has("entries") ? t.entries.map(entryToProto) : [],
  postedAt: fields.has("posted_at") ? timestampFromDate(t.postedAt) : undefined,
});

/** A posting's answer in PostTransactions: the transaction, or the error PostTransaction would have failed with. */
export const postAnswerToProto = (answer: PostAnswer): MessageInitShape<typeof PostTransactionResultSchema> =>
  "error" in answer
    ? { result: { case: "error", value: { code: codeOfKind[answer.error.kind], message: answer.error.message } } }
    : {
        result: { case: "transaction", value: transactionToProto(answer.transaction, POSTED_FIELDS) },
        alreadyPosted: answer.outcome === "already_posted",
      };

export const postedEntryToProto = (e: PostedEntry): MessageInitShape<typeof PostedEntrySchema> => ({
  transactionId: e.transactionId,
  entry: entryToProto(e.entry),
  postedAt: timestampFromDate(e.postedAt),
});

/** An account's balance, as GetBalance answers and ListAccounts lists it. */
export const balanceToProto = (b: AccountBalance) => {
  const { currency } = b.account;
  return {
    account: accountToProto(b.account),
    balance: { amountMinor: b.balance, currency },
    totalDebits: { amountMinor: b.debits, currency },
    totalCredits: { amountMinor: b.credits, currency },
  };
};

export const violationToProto = (v: Violation): MessageInitShape<typeof ViolationSchema> => ({
  invariant: v.invariant,
  detail: v.detail,
  accountCode: v.accountCode ?? "",
  transactionId: v.transactionId ?? "",
  currency: v.currency ?? "",
});

/**
 * The entries of the transactions asked for, as LookupEntriesResponse's columns: a count per id asked (-1: never
 * posted), the accounts once each, and per entry its account's position, direction and amount.
 */
export function entriesToColumns(found: EntryColumns): MessageInitShape<typeof LookupEntriesResponseSchema> {
  const accountPosition = new Map<string, number>();
  const accountCodes: string[] = [];
  const accountCurrencies: string[] = [];
  const entryAccounts = found.accountCodes.map((code, i) => {
    let position = accountPosition.get(code);
    if (position === undefined) {
      position = accountCodes.push(code) - 1;
      accountCurrencies.push(present(found.currencies[i], "a currency per entry"));
      accountPosition.set(code, position);
    }
    return position;
  });
  return {
    entryCounts: found.counts,
    accountCodes,
    accountCurrencies,
    entryAccounts,
    entryDirections: found.directions.map((d) => ProtoDirection[d]),
    entryAmountsMinor: found.amountsMinor,
  };
}
