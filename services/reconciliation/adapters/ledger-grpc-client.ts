import { createClient, type Client, Code, ConnectError } from "@connectrpc/connect";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AccountType,
  Direction,
  LedgerService,
  type LookupEntriesResponse,
  type Transaction,
} from "../../../gen/ledger/v1/ledger_pb.js";
import { DomainError, invalidArgument, failedPrecondition } from "../../lib/errors.js";
import { callWithRetry } from "../../lib/grpc-call.js";
import { grpcTransport } from "../../lib/grpc-client.js";
import { present } from "../../lib/invariant.js";
import type { TlsMaterial } from "../../lib/tls/tls-material.js";
import type { Account } from "../../contracts/accounting/accounts.js";
import type { Posting } from "../../contracts/accounting/postings.js";
import type { LedgerTransaction, TransactionEntries } from "../domain/matching.js";
import type { LedgerPort, LookupView } from "../app/ports.js";

const fromProto = (t: Transaction): LedgerTransaction => ({
  transactionId: t.transactionId,
  description: t.description,
  postedAt: t.postedAt ? timestampDate(t.postedAt) : new Date(0),
  entries: t.entries.map((e) => ({
    accountCode: e.accountCode,
    direction: e.direction === Direction.DEBIT ? "DEBIT" : "CREDIT",
    amount: { amountMinor: e.amount?.amountMinor ?? 0n, currency: e.amount?.currency ?? "" },
  })),
});

/**
 * The transactions of a LookupEntries answer, column by column as proto/ledger/v1/ledger.proto lays it out: an entry
 * count per id asked, then each entry's account, direction and amount. The ledger answers every column in full, so a
 * value missing from one is a bug there, named as such.
 */
function entriesOf(transactionIds: string[], columns: LookupEntriesResponse): TransactionEntries[] {
  const cell = <T>(column: readonly T[], index: number, name: string): T =>
    present(column[index], `the ledger's LookupEntries answer has ${name} ${index}`);
  const entryAt = (index: number): TransactionEntries["entries"][number] => {
    const account = cell(columns.entryAccounts, index, "entry account");
    return {
      accountCode: cell(columns.accountCodes, account, "account code"),
      direction: cell(columns.entryDirections, index, "entry direction") === Direction.DEBIT ? "DEBIT" : "CREDIT",
      amount: {
        amountMinor: cell(columns.entryAmountsMinor, index, "entry amount"),
        currency: cell(columns.accountCurrencies, account, "account currency"),
      },
    };
  };
  const found: TransactionEntries[] = [];
  let entry = 0;
  transactionIds.forEach((transactionId, i) => {
    const count = cell(columns.entryCounts, i, "entry count");
    if (count < 0) return;
    found.push({ transactionId, entries: Array.from({ length: count }, (_, j) => entryAt(entry + j)) });
    entry += count;
  });
  return found;
}

/** The ledger refused the posting itself (not a failure to reach it): the caller's entries are at fault. */
const REFUSALS: Partial<Record<Code, (message: string) => DomainError>> = {
  [Code.InvalidArgument]: (m) => invalidArgument("entries", m),
  [Code.NotFound]: (m) => invalidArgument("entries", m),
  [Code.FailedPrecondition]: (m) => invalidArgument("entries", m),
  [Code.AlreadyExists]: (m) => failedPrecondition(m),
};

/**
 * ledger.v1.LedgerService over gRPC; transient failures are retried with backoff. Given several instances of the
 * ledger, it spreads its calls over them in turn (a day's lookups keep a ledger instance's CPU busy).
 */
export class LedgerGrpcClient implements LedgerPort {
  private readonly clients: Client<typeof LedgerService>[];
  private turn = 0;

  constructor(baseUrls: readonly string[], tls: TlsMaterial) {
    if (baseUrls.length === 0) throw new Error("the ledger client needs at least one ledger URL");
    // No gzip: lookups run to a million transactions a day, on the same network, and compression would double their CPU.
    this.clients = baseUrls.map((baseUrl) =>
      createClient(LedgerService, grpcTransport(baseUrl, tls, { server: "ledger", timeoutMs: 30_000, gzip: false })),
    );
  }

  private get client(): Client<typeof LedgerService> {
    this.turn = (this.turn + 1) % this.clients.length;
    return present(this.clients[this.turn], "the turn is a position in the list of clients, which is not empty");
  }

  async lookupTransactions(transactionIds: string[], view?: LookupView): Promise<LedgerTransaction[]> {
    const request = {
      transactionIds,
      accountPrefixes: view?.accountPrefixes ?? [],
      readMask: view && { paths: view.fields },
    };
    const { transactions } = await callWithRetry(() => this.client.lookupTransactions(request), "ledger");
    return transactions.map(fromProto);
  }

  async lookupEntries(transactionIds: string[], accountPrefixes: string[]): Promise<TransactionEntries[]> {
    const columns = await callWithRetry(() => this.client.lookupEntries({ transactionIds, accountPrefixes }), "ledger");
    return entriesOf(transactionIds, columns);
  }

  async listTransactionIds(query: { postedFrom: Date; postedBefore: Date; idPrefixes: string[]; pageToken: string }) {
    const page = await callWithRetry(
      () =>
        this.client.listTransactionIds({
          postedFrom: timestampFromDate(query.postedFrom),
          postedBefore: timestampFromDate(query.postedBefore),
          idPrefixes: query.idPrefixes,
          pageSize: 10_000,
          pageToken: query.pageToken,
        }),
      "ledger",
    );
    return { transactionIds: page.transactionIds, nextPageToken: page.nextPageToken };
  }

  async openAccounts(accounts: Account[]): Promise<void> {
    for (const { code, type, currency } of accounts) {
      await callWithRetry(
        () => this.client.openAccount({ account: { code, type: AccountType[type], currency } }),
        "ledger",
      );
    }
  }

  async post(posting: Posting) {
    const request = {
      transactionId: posting.transactionId,
      description: posting.description,
      entries: posting.entries.map((e) => ({
        accountCode: e.accountCode,
        direction: Direction[e.direction],
        amount: e.amount,
      })),
    };
    // A refusal is answered rather than thrown, so that the retry wrapper does not turn it into an internal error.
    const answer = await callWithRetry(
      () =>
        this.client.postTransaction(request).catch((err: unknown) => {
          const error = ConnectError.from(err);
          const refusal = REFUSALS[error.code];
          if (refusal === undefined) throw err;
          return refusal(error.rawMessage);
        }),
      "ledger",
    );
    if (answer instanceof DomainError) throw answer;
    return fromProto(present(answer.transaction, "the ledger answers a posting with its transaction"));
  }
}
