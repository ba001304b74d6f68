import type { SettlementTotals } from "../domain/settlement-posting.js";
import { failedPrecondition } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import { formatMoney, type Money } from "../../lib/money.js";
import type { FoundException } from "../domain/exception.js";
import { FingerprintSet } from "../domain/fingerprint-set.js";
import {
  classify,
  ledgerTransactionOf,
  lineAmount,
  PSP_SIDE_ACCOUNTS,
  type TransactionEntries,
} from "../domain/matching.js";
import { ReportBuilder } from "../domain/report.js";
import { parseLine, SETTLEMENT_HEADER, type SettlementLine } from "../domain/settlement-line.js";
import { SettlementTotalsBuilder } from "../domain/settlement-totals.js";
import type { LedgerPort } from "./ports.js";

export interface LinesOptions {
  /** Ids per LookupTransactions call (at most 1000). */
  batchSize: number;
  /** Batches out at once: looked up, or waiting to be matched. */
  concurrency: number;
  /** The settlement day [start, end) in ms: a line dated outside it does not belong in the file. */
  window: { start: number; end: number };
  /** Lines from this time (ms) on are near the day's end: the transactions they name are remembered for the next day. */
  boundaryFrom: number;
}

/**
 * What reading a file against the ledger found; memory is bounded but for the fingerprints of the movements read
 * (16 bytes a line at most) and the transactions named near the day's end.
 */
export interface LinesOutcome {
  /** Movement lines (not the header, not the closing balances). */
  lines: number;
  report: ReportBuilder;
  totals: Map<string, SettlementTotals>;
  /** `<type>|<ledger transaction>` of every line that names one, to find the ledger's transactions that no line names. */
  named: { has(key: string): boolean };
  closingBalances: Money[];
  /** Per currency, the net of the movements (each counted once, in the day), signed from the merchant balance's point of view. */
  movementsNet: Map<string, bigint>;
  boundaryMatches: string[];
}

/** The key under which a movement is seen: the line type and the ledger transaction it names (or its references). */
export const movementKey = (
  type: string,
  transactionId: string | undefined,
  pspReference: string,
  ourReference: string,
) => `${type}|${transactionId ?? `${pspReference}|${ourReference}`}`;

/**
 * Claims matched movements for this day's settlement; answers, by `<line type>|<transaction id>`, the day that settled
 * those another day already settled.
 */
export type ClaimSettled = (movements: { lineType: string; transactionId: string }[]) => Promise<Map<string, string>>;

interface Pending {
  lineNumber: number;
  line: SettlementLine;
  transactionId: string | undefined;
}

type Outcome = ReturnType<typeof classify>;

/** What could be read of a line that does not count: to tell which movement it was meant to be. */
type Unread = Pick<SettlementLine, "pspReference" | "ourReference"> & { type: string };

const referencesOf = (line: Pick<SettlementLine, "type" | "pspReference" | "ourReference">) => ({
  pspReference: line.pspReference,
  ourReference: line.ourReference,
  lineType: line.type,
});

/** The matched movements of a batch, to claim for the day. */
function matchedMovements(batch: Pending[], outcomes: Outcome[]): { lineType: string; transactionId: string }[] {
  const matched: { lineType: string; transactionId: string }[] = [];
  batch.forEach(({ line, transactionId }, i) => {
    if (outcomes[i]?.class === "matched" && transactionId !== undefined)
      matched.push({ lineType: line.type, transactionId });
  });
  return matched;
}

/** The day another settlement already settled a matched line's transaction, when one did. */
function settledBefore(
  { line, transactionId }: Pending,
  outcome: Outcome,
  settledOn: Map<string, string>,
): { transactionId: string; day: string } | undefined {
  if (outcome.class !== "matched" || transactionId === undefined) return undefined;
  const day = settledOn.get(`${line.type}|${transactionId}`);
  return day === undefined ? undefined : { transactionId, day };
}

/** What an exception about a compared line says of it (spelled out only for the lines that are exceptions). */
function spelledOut({ lineNumber, line }: Pending, outcome: Outcome) {
  const fileAmount = { amountMinor: lineAmount(line), currency: line.currency };
  return {
    said: `the file says ${line.type} ${line.pspReference} of ${formatMoney(fileAmount)}`,
    found: { lineNumber, ...referencesOf(line), fileAmount, fileFee: line.fee, ledgerAmount: outcome.ledger },
  };
}

/**
 * Reads a settlement file line by line (the header first), looks the movements up in the ledger in batches (several
 * in flight), classifies each, claims the matched ones (one another day settled is "already settled"), hands every
 * exception to `sink` as it is found, and adds up what the matched lines settle. Batches are matched one after the
 * other, in file order, while the reading goes on; it waits once `concurrency` batches are unmatched, so at most
 * concurrency x batchSize lines are held at once.
 */
export async function reconcileLines(
  texts: AsyncIterable<string>,
  ledger: Pick<LedgerPort, "lookupEntries">,
  claimSettled: ClaimSettled,
  sink: (exception: FoundException) => Promise<void>,
  options: LinesOptions,
): Promise<LinesOutcome> {
  const reading = new FileReading(ledger, claimSettled, sink, options);
  let lineNumber = 0;
  try {
    for await (const text of texts) {
      lineNumber++;
      if (lineNumber > 1) await reading.read(lineNumber, text);
      else if (text !== SETTLEMENT_HEADER)
        throw failedPrecondition(`not a settlement file: its first line is not the header "${SETTLEMENT_HEADER}"`);
    }
  } catch (err) {
    // Nothing of this reading may still be claiming or recording once the caller learns it failed.
    await reading.settled();
    throw err;
  }
  if (lineNumber === 0) throw failedPrecondition("not a settlement file: it is empty");
  return reading.finish();
}

/** The lines of one file read so far, the batches of them out to the ledger, and what they add up to. */
class FileReading {
  private readonly report = new ReportBuilder();
  private readonly totals = new SettlementTotalsBuilder();
  private readonly seen = new FingerprintSet();
  // Malformed lines name transactions too, but only for "missing in the file": a good line after a bad one is no duplicate.
  private readonly namedByMalformed = new FingerprintSet();
  private readonly closingBalances: Money[] = [];
  private readonly movementsNet = new Map<string, bigint>();
  private readonly boundaryMatches: string[] = [];
  /** Per batch dispatched and not yet awaited: settles once it is matched (each after the one before). */
  private readonly unmatched: Promise<void>[] = [];
  private batch: Pending[] = [];
  private ids = new Set<string>();
  private lines = 0;

  constructor(
    private readonly ledger: Pick<LedgerPort, "lookupEntries">,
    private readonly claimSettled: ClaimSettled,
    private readonly sink: (exception: FoundException) => Promise<void>,
    private readonly options: LinesOptions,
  ) {}

  /** A line after the header. */
  async read(lineNumber: number, text: string): Promise<void> {
    const parsed = parseLine(text);
    if (parsed.kind === "closing_balance") {
      this.closingBalances.push({ amountMinor: parsed.balance, currency: parsed.currency });
    } else if (parsed.kind === "malformed") {
      await this.unread(lineNumber, parsed, `line ${lineNumber} cannot be read: ${parsed.problem}`);
    } else if (parsed.line.time < this.options.window.start || parsed.line.time >= this.options.window.end) {
      await this.unread(lineNumber, parsed.line, this.outsideTheDay(lineNumber, parsed.line));
    } else {
      await this.movement(lineNumber, parsed.line);
    }
  }

  /** The rest of the batches matched, what the file came to. */
  async finish(): Promise<LinesOutcome> {
    await this.dispatch();
    for (let oldest = this.unmatched.shift(); oldest !== undefined; oldest = this.unmatched.shift()) await oldest;
    const { lines, report, seen, namedByMalformed, closingBalances, movementsNet, boundaryMatches } = this;
    const named = { has: (key: string) => seen.has(key) || namedByMalformed.has(key) };
    return { lines, report, totals: this.totals.build(), named, closingBalances, movementsNet, boundaryMatches };
  }

  /** Once every batch dispatched is matched or failed. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.unmatched.splice(0));
  }

  private outsideTheDay(lineNumber: number, line: SettlementLine): string {
    const { start, end } = this.options.window;
    return (
      `line ${lineNumber} is dated ${new Date(line.time).toISOString()}, outside the settlement day ` +
      `(${new Date(start).toISOString()} to ${new Date(end).toISOString()}): it belongs to another day's file`
    );
  }

  /** A line that does not count (malformed, or of another day): an exception, which accounts for what it meant. */
  private async unread(lineNumber: number, unread: Unread, detail: string): Promise<void> {
    this.lines++;
    this.report.add("malformed_line", "", 0n);
    // Whatever it was meant to be is accounted for: its transaction is not also "missing in the file".
    const meant = ledgerTransactionOf(unread);
    if (meant !== undefined)
      this.namedByMalformed.add(movementKey(unread.type, meant, unread.pspReference, unread.ourReference));
    await this.sink({
      class: "malformed_line",
      key: `malformed_line|line ${lineNumber}`,
      lineNumber,
      pspReference: unread.pspReference,
      ourReference: unread.ourReference,
      lineType: unread.type,
      ledgerTransactionId: "",
      detail,
    });
  }

  /** A movement of the day: a duplicate is an exception at once; the first of its kind joins the batch. */
  private async movement(lineNumber: number, line: SettlementLine): Promise<void> {
    this.lines++;
    const transactionId = ledgerTransactionOf(line);
    if (!this.seen.add(movementKey(line.type, transactionId, line.pspReference, line.ourReference))) {
      await this.duplicate(lineNumber, line, transactionId);
      return;
    }
    this.movementsNet.set(line.currency, (this.movementsNet.get(line.currency) ?? 0n) + line.gross - line.fee);
    this.batch.push({ lineNumber, line, transactionId });
    if (transactionId !== undefined) this.ids.add(transactionId);
    if (this.batch.length >= this.options.batchSize) await this.dispatch();
  }

  private async duplicate(lineNumber: number, line: SettlementLine, transactionId: string | undefined): Promise<void> {
    this.report.add("duplicate_line", line.currency, lineAmount(line));
    await this.sink({
      class: "duplicate_line",
      key: `duplicate_line|${line.type}|${line.pspReference}|${line.ourReference}|line ${lineNumber}`,
      lineNumber,
      ...referencesOf(line),
      fileAmount: { amountMinor: lineAmount(line), currency: line.currency },
      ledgerTransactionId: transactionId ?? "",
      detail: `the ${line.type} ${line.pspReference} is in the file a second time (line ${lineNumber}); only its first line counts`,
    });
  }

  /** Sends the batch's lookup and queues its matching behind the batch before; waits while too many are unmatched. */
  private async dispatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    const found =
      this.ids.size === 0 ? Promise.resolve([]) : this.ledger.lookupEntries([...this.ids], PSP_SIDE_ACCOUNTS);
    this.batch = [];
    this.ids = new Set();
    const before = this.unmatched.at(-1) ?? Promise.resolve();
    const matched = before.then(() => this.matchBatch(batch, found));
    // Awaited in order, once too many are unmatched or at the end; a failure (of the lookup too) surfaces there.
    found.catch(() => {});
    matched.catch(() => {});
    this.unmatched.push(matched);
    if (this.unmatched.length >= this.options.concurrency) await this.unmatched.shift();
  }

  /** Compares a batch with what the ledger found, claims its matched movements, and records each line's class. */
  private async matchBatch(batch: Pending[], found: Promise<TransactionEntries[]>): Promise<void> {
    const byId = new Map((await found).map((t) => [t.transactionId, t]));
    const outcomes = batch.map(({ line, transactionId }) =>
      classify(line, transactionId === undefined ? undefined : byId.get(transactionId)),
    );
    const settledOn = await this.claimSettled(matchedMovements(batch, outcomes));
    for (const [i, pending] of batch.entries())
      await this.record(pending, present(outcomes[i], "an outcome per line of the batch"), settledOn);
  }

  /** One line compared: matched (settled now, or already by another day), or an exception saying what differs. */
  private async record(pending: Pending, outcome: Outcome, settledOn: Map<string, string>): Promise<void> {
    const { line, transactionId } = pending;
    const amount = lineAmount(line);
    if (transactionId !== undefined && line.time >= this.options.boundaryFrom) this.boundaryMatches.push(transactionId);
    const before = settledBefore(pending, outcome, settledOn);
    if (before !== undefined) {
      const { said, found } = spelledOut(pending, outcome);
      this.report.add("already_settled", line.currency, amount);
      await this.sink({
        class: "already_settled",
        key: `already_settled|${line.type}|${line.pspReference}|${line.ourReference}`,
        ...found,
        ledgerTransactionId: before.transactionId,
        detail: `${said}; the settlement of ${before.day} already settled ${before.transactionId}: it is not settled again`,
      });
      return;
    }
    this.report.add(outcome.class, line.currency, amount);
    if (outcome.class === "matched") {
      this.totals.add(line);
      return;
    }
    const { said, found } = spelledOut(pending, outcome);
    const detail = {
      missing_in_ledger: transactionId
        ? `${said}; the ledger has no ${transactionId}`
        : `${said}; its our_reference "${line.ourReference}" names no ledger transaction`,
      amount_mismatch: `${said}; ${transactionId} moved ${outcome.ledger && formatMoney(outcome.ledger)}`,
      currency_mismatch: `${said}; ${transactionId} is in ${outcome.ledger?.currency}`,
    }[outcome.class];
    await this.sink({
      class: outcome.class,
      key: `${outcome.class}|${line.type}|${line.pspReference}|${line.ourReference}`,
      ...found,
      ledgerTransactionId: transactionId ?? "",
      detail,
    });
  }
}
