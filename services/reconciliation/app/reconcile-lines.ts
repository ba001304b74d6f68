import type { SettlementTotals } from "../domain/settlement-posting.js";
import { failedPrecondition } from "../../lib/errors.js";
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
  /** Lookups in flight at once. */
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

const referencesOf = (line: Pick<SettlementLine, "type" | "pspReference" | "ourReference">) => ({
  pspReference: line.pspReference,
  ourReference: line.ourReference,
  lineType: line.type,
});

/**
 * Reads a settlement file line by line (the header first), looks the movements up in the ledger in batches (several
 * in flight), classifies each, claims the matched ones (one another day settled is "already settled"), hands every
 * exception to `sink` as it is found, and adds up what the matched lines settle. Holds at most concurrency x batchSize lines at once.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: to be split into named parts (issue 19, item 5)
export async function reconcileLines(
  texts: AsyncIterable<string>,
  ledger: Pick<LedgerPort, "lookupEntries">,
  claimSettled: ClaimSettled,
  sink: (exception: FoundException) => Promise<void>,
  options: LinesOptions,
): Promise<LinesOutcome> {
  const report = new ReportBuilder();
  const totals = new SettlementTotalsBuilder();
  const seen = new FingerprintSet();
  // Malformed lines name transactions too, but only for "missing in the file": a good line after a bad one is no duplicate.
  const namedByMalformed = new FingerprintSet();
  const closingBalances: Money[] = [];
  const movementsNet = new Map<string, bigint>();
  const boundaryMatches: string[] = [];
  const inFlight: { batch: Pending[]; found: Promise<TransactionEntries[]> }[] = [];
  let batch: Pending[] = [];
  let ids = new Set<string>();
  let lines = 0;
  let lineNumber = 0;

  const matchBatch = async ({ batch, found }: (typeof inFlight)[number]) => {
    const byId = new Map((await found).map((t) => [t.transactionId, t]));
    const classified = batch.map((pending) => ({
      ...pending,
      outcome: classify(
        pending.line,
        pending.transactionId === undefined ? undefined : byId.get(pending.transactionId),
      ),
    }));
    const matched = classified
      .filter((c) => c.outcome.class === "matched")
      .map((c) => ({ lineType: c.line.type, transactionId: c.transactionId! }));
    const settledOn = await claimSettled(matched);
    for (const { lineNumber, line, transactionId, outcome } of classified) {
      const amount = lineAmount(line);
      const fileAmount = { amountMinor: amount, currency: line.currency };
      const said = `the file says ${line.type} ${line.pspReference} of ${formatMoney(fileAmount)}`;
      if (transactionId !== undefined && line.time >= options.boundaryFrom) boundaryMatches.push(transactionId);
      const otherDay = outcome.class === "matched" ? settledOn.get(`${line.type}|${transactionId}`) : undefined;
      if (otherDay !== undefined) {
        report.add("already_settled", line.currency, amount);
        await sink({
          class: "already_settled",
          key: `already_settled|${line.type}|${line.pspReference}|${line.ourReference}`,
          lineNumber,
          ...referencesOf(line),
          fileAmount,
          fileFee: line.fee,
          ledgerAmount: outcome.ledger,
          ledgerTransactionId: transactionId!,
          detail: `${said}; the settlement of ${otherDay} already settled ${transactionId}: it is not settled again`,
        });
        continue;
      }
      report.add(outcome.class, line.currency, amount);
      if (outcome.class === "matched") {
        totals.add(line);
        continue;
      }
      const detail = {
        missing_in_ledger: transactionId
          ? `${said}; the ledger has no ${transactionId}`
          : `${said}; its our_reference "${line.ourReference}" names no ledger transaction`,
        amount_mismatch: `${said}; ${transactionId} moved ${outcome.ledger && formatMoney(outcome.ledger)}`,
        currency_mismatch: `${said}; ${transactionId} is in ${outcome.ledger?.currency}`,
      }[outcome.class];
      await sink({
        class: outcome.class,
        key: `${outcome.class}|${line.type}|${line.pspReference}|${line.ourReference}`,
        lineNumber,
        ...referencesOf(line),
        fileAmount,
        fileFee: line.fee,
        ledgerAmount: outcome.ledger,
        ledgerTransactionId: transactionId ?? "",
        detail,
      });
    }
  };

  const dispatch = async () => {
    if (batch.length === 0) return;
    inFlight.push({
      batch,
      found: ids.size === 0 ? Promise.resolve([]) : ledger.lookupEntries([...ids], PSP_SIDE_ACCOUNTS),
    });
    // Settled in order, as soon as there are too many in flight; a failure surfaces there.
    inFlight.at(-1)!.found.catch(() => {});
    batch = [];
    ids = new Set();
    if (inFlight.length >= options.concurrency) await matchBatch(inFlight.shift()!);
  };

  const movement = async (line: SettlementLine) => {
    lines++;
    const transactionId = ledgerTransactionOf(line);
    if (!seen.add(movementKey(line.type, transactionId, line.pspReference, line.ourReference))) {
      report.add("duplicate_line", line.currency, lineAmount(line));
      await sink({
        class: "duplicate_line",
        key: `duplicate_line|${line.type}|${line.pspReference}|${line.ourReference}|line ${lineNumber}`,
        lineNumber,
        ...referencesOf(line),
        fileAmount: { amountMinor: lineAmount(line), currency: line.currency },
        ledgerTransactionId: transactionId ?? "",
        detail: `the ${line.type} ${line.pspReference} is in the file a second time (line ${lineNumber}); only its first line counts`,
      });
      return;
    }
    movementsNet.set(line.currency, (movementsNet.get(line.currency) ?? 0n) + line.gross - line.fee);
    batch.push({ lineNumber, line, transactionId });
    if (transactionId !== undefined) ids.add(transactionId);
    if (batch.length >= options.batchSize) await dispatch();
  };

  const outsideTheDay = (line: SettlementLine) =>
    `line ${lineNumber} is dated ${new Date(line.time).toISOString()}, outside the settlement day ` +
    `(${new Date(options.window.start).toISOString()} to ${new Date(options.window.end).toISOString()}): it belongs to another day's file`;

  for await (const text of texts) {
    lineNumber++;
    if (lineNumber === 1) {
      if (text !== SETTLEMENT_HEADER)
        throw failedPrecondition(`not a settlement file: its first line is not the header "${SETTLEMENT_HEADER}"`);
      continue;
    }
    const parsed = parseLine(text);
    const misdated =
      parsed.kind === "movement" && (parsed.line.time < options.window.start || parsed.line.time >= options.window.end);
    if (parsed.kind === "movement" && !misdated) await movement(parsed.line);
    else if (parsed.kind === "closing_balance")
      closingBalances.push({ amountMinor: parsed.balance, currency: parsed.currency });
    else {
      const unread =
        parsed.kind === "malformed" ? parsed : { ...referencesOf(parsed.line), type: parsed.line.type, problem: "" };
      lines++;
      report.add("malformed_line", "", 0n);
      // Whatever it was meant to be is accounted for: its transaction is not also "missing in the file".
      const meant = ledgerTransactionOf({
        type: unread.type as SettlementLine["type"],
        pspReference: unread.pspReference,
        ourReference: unread.ourReference,
      });
      if (meant !== undefined)
        namedByMalformed.add(movementKey(unread.type, meant, unread.pspReference, unread.ourReference));
      await sink({
        class: "malformed_line",
        key: `malformed_line|line ${lineNumber}`,
        lineNumber,
        pspReference: unread.pspReference,
        ourReference: unread.ourReference,
        lineType: unread.type,
        ledgerTransactionId: "",
        detail:
          parsed.kind === "malformed"
            ? `line ${lineNumber} cannot be read: ${parsed.problem}`
            : outsideTheDay(parsed.line),
      });
    }
  }
  if (lineNumber === 0) throw failedPrecondition("not a settlement file: it is empty");
  await dispatch();
  while (inFlight.length > 0) await matchBatch(inFlight.shift()!);
  const named = { has: (key: string) => seen.has(key) || namedByMalformed.has(key) };
  return { lines, report, totals: totals.build(), named, closingBalances, movementsNet, boundaryMatches };
}
