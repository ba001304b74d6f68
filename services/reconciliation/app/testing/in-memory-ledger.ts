import type { Account } from "../../../contracts/accounting/accounts.js";
import type { Posting } from "../../../contracts/accounting/postings.js";
import { failedPrecondition } from "../../../lib/errors.js";
import type { LedgerTransaction, TransactionEntries } from "../../domain/matching.js";
import type { LedgerPort, LookupView } from "../ports.js";

const narrowed = (entries: LedgerTransaction["entries"], accountPrefixes: string[]) =>
  accountPrefixes.length === 0
    ? entries
    : entries.filter((e) => accountPrefixes.some((prefix) => e.accountCode.startsWith(prefix)));

/** The ledger in memory, for unit tests: posting is idempotent on the id, and refuses accounts not opened and an id taken by other content. */
export class InMemoryLedger implements LedgerPort {
  readonly transactions = new Map<string, LedgerTransaction>();
  readonly accounts = new Set<string>();
  /** When the next posting is posted. */
  now = new Date("2024-03-07T00:00:00.000Z");

  constructor(
    /** Ids per page of listTransactionIds. */
    private readonly pageSize = 2,
  ) {}

  /** Transactions the ledger booked from events, as they are (no account checks). */
  book(...transactions: LedgerTransaction[]): this {
    for (const t of transactions) this.transactions.set(t.transactionId, t);
    return this;
  }

  async openAccounts(accounts: Account[]): Promise<void> {
    for (const { code } of accounts) this.accounts.add(code);
  }

  async post(posting: Posting): Promise<LedgerTransaction> {
    const existing = this.transactions.get(posting.transactionId);
    if (existing !== undefined) {
      const same =
        existing.description === posting.description &&
        JSON.stringify(existing.entries, bigints) === JSON.stringify(posting.entries, bigints);
      if (!same) throw failedPrecondition(`transaction ${posting.transactionId} was already posted with other content`);
      return existing;
    }
    const unknown = posting.entries.find((e) => !this.accounts.has(e.accountCode));
    if (unknown !== undefined) throw failedPrecondition(`account ${unknown.accountCode} does not exist`);
    const transaction = { ...posting, postedAt: this.now };
    this.transactions.set(posting.transactionId, transaction);
    return transaction;
  }

  async lookupTransactions(transactionIds: string[], view?: LookupView): Promise<LedgerTransaction[]> {
    return this.posted(transactionIds).map((t) => ({
      ...t,
      entries: narrowed(t.entries, view?.accountPrefixes ?? []),
    }));
  }

  async lookupEntries(transactionIds: string[], accountPrefixes: string[]): Promise<TransactionEntries[]> {
    return this.posted(transactionIds).map((t) => ({
      transactionId: t.transactionId,
      entries: narrowed(t.entries, accountPrefixes),
    }));
  }

  /** By time of posting, then id; the page token is the offset of the next page. */
  async listTransactionIds(query: {
    postedFrom: Date;
    postedBefore: Date;
    idPrefixes: string[];
    pageToken: string;
  }): Promise<{ transactionIds: string[]; nextPageToken: string }> {
    const ids = [...this.transactions.values()]
      .filter(
        (t) =>
          t.postedAt >= query.postedFrom &&
          t.postedAt < query.postedBefore &&
          query.idPrefixes.some((prefix) => t.transactionId.startsWith(prefix)),
      )
      .sort((a, b) => a.postedAt.getTime() - b.postedAt.getTime() || a.transactionId.localeCompare(b.transactionId))
      .map((t) => t.transactionId);
    const from = Number(query.pageToken || "0");
    const next = from + this.pageSize;
    return { transactionIds: ids.slice(from, next), nextPageToken: next < ids.length ? String(next) : "" };
  }

  private posted(transactionIds: string[]): LedgerTransaction[] {
    return transactionIds.flatMap((id) => this.transactions.get(id) ?? []);
  }
}

const bigints = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value);
