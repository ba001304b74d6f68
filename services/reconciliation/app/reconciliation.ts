import { NO_SETTLEMENT, settlementPosting } from "../../ledger/domain/chart.js";
import { failedPrecondition } from "../../lib/errors.js";
import { formatMoney } from "../../lib/money.js";
import type { Logger } from "../../lib/log.js";
import type { FoundException, Run } from "../domain/exception.js";
import { PSP_SIDE_ACCOUNTS, pspSideAmount, SETTLEABLE_PREFIXES, settlingLineType } from "../domain/matching.js";
import { previousDate, settlementWindow } from "../domain/settlement-day.js";
import { totalsDelta } from "../domain/settlement-totals.js";
import type { ReconciliationStore } from "../store/reconciliation-store.js";
import { autoFixMissingInLedger } from "./auto-fix.js";
import type { LedgerPort, PaymentsPort, PspPort, SettlementFile } from "./ports.js";
import { movementKey, reconcileLines, type LinesOutcome } from "./reconcile-lines.js";
import { checksumOf, linesOf, localSettlementFile } from "./settlement-file.js";

export interface ReconciliationConfig {
  /** The PSP's settlement cutoff, "HH:MM" UTC: day D runs from D at the cutoff to D+1 at the cutoff. */
  settlementCutoff: string;
  /**
   * The longest we expect between the PSP moving money and the ledger booking it. Matched lines this close to the
   * day's end are remembered, so that the next day does not count their transactions (booked after the cutoff)
   * missing from its file.
   */
  bookingToleranceMs: number;
  batchSize: number;
  concurrency: number;
}

export const defaultReconciliationConfig: ReconciliationConfig = { settlementCutoff: "00:00", bookingToleranceMs: 5 * 60_000, batchSize: 1000, concurrency: 4 };

export interface ReconciliationDeps {
  store: ReconciliationStore;
  ledger: LedgerPort;
  psp: PspPort;
  payments: PaymentsPort;
  config: ReconciliationConfig;
  log: Logger;
}

export interface RunResult {
  run: Run;
  /** What this execution changed, for people; empty when nothing did. */
  changes: string[];
}

/** Exceptions are written in batches of this many. */
const EXCEPTION_BATCH = 500;

/**
 * One settlement day's reconciliation: read the file against the ledger, find what the ledger has and the file
 * lacks, post the settlement, fix what can be fixed, store the run and its exceptions. Every step is idempotent, so
 * running the same file again changes nothing, and a run that died half-way is simply run again.
 */
export class Reconciliation {
  constructor(private readonly deps: ReconciliationDeps) {}

  async run(date: string, filePath?: string): Promise<RunResult> {
    const file = filePath ? await localSettlementFile(filePath) : await this.deps.psp.settlementFile(date);
    try {
      const claimed = await this.deps.store.claimRun(date, await checksumOf(file.path), file.source);
      if (claimed === undefined) throw failedPrecondition(`a run of this file for ${date} is under way; try again when it is over`);
      const { run, created } = claimed;
      try {
        const changes = await this.execute(run, file);
        return { run: (await this.deps.store.getRun(run.id))!, changes: created ? [`run ${run.id} created for ${date}`, ...changes] : changes };
      } catch (err) {
        await this.deps.store.failRun(run.id, String((err as Error).message ?? err));
        throw err;
      }
    } finally {
      await file.release();
    }
  }

  private async execute(run: Run, file: SettlementFile): Promise<string[]> {
    const { store, ledger, config, log } = this.deps;
    const window = settlementWindow(run.date, config.settlementCutoff);
    const changes: string[] = [];
    const pending: FoundException[] = [];
    let written = 0;
    const flush = async () => void (written += await store.upsertExceptions(run.date, run.id, pending.splice(0)));
    const sink = async (exception: FoundException) => {
      pending.push(exception);
      if (pending.length >= EXCEPTION_BATCH) await flush();
    };

    const outcome = await reconcileLines(linesOf(file.path), ledger, sink, { ...config, boundaryFrom: window.end - config.bookingToleranceMs });
    const until = Math.min(window.end, file.cutAt?.getTime() ?? window.end);
    await this.findMissingInFile(run.date, new Date(window.start), new Date(until), outcome, sink);
    await flush();
    if (written > 0) changes.push(`${written} exception(s) recorded or updated`);
    await store.saveBoundaryMatches(run.date, outcome.boundaryMatches);

    changes.push(...(await this.settle(run, outcome)));
    changes.push(...(await this.autoFix(run)));
    const resolved = await store.resolveNotFoundAgain(run.date, run.id);
    if (resolved > 0) changes.push(`${resolved} open exception(s) of ${run.date} not found again, closed`);
    const reportChanged = await store.finishRun(run.id, { lines: outcome.lines, report: outcome.report.build(), closingBalances: outcome.closingBalances });
    if (reportChanged && run.executions > 1) changes.push("report updated");
    log.info("reconciliation run finished", { runId: run.id, date: run.date, lines: outcome.lines, changes: changes.length });
    return changes;
  }

  /**
   * The settle-able ledger transactions posted during the day (up to the file's cut) that no line names, except those
   * the previous day's file matched near its end (booked after that cutoff).
   */
  private async findMissingInFile(date: string, from: Date, until: Date, outcome: LinesOutcome, sink: (e: FoundException) => Promise<void>): Promise<void> {
    if (until <= from) return;
    const { ledger, store, config } = this.deps;
    const matchedTheDayBefore = await store.boundaryMatches(previousDate(date));
    const report = async (ids: string[]) => {
      if (ids.length === 0) return;
      for (const transaction of await ledger.lookupTransactions(ids, { accountPrefixes: PSP_SIDE_ACCOUNTS, fields: ["entries", "posted_at"] })) {
        const type = settlingLineType(transaction.transactionId)!;
        const amount = pspSideAmount(transaction, type) ?? { amountMinor: 0n, currency: "" };
        outcome.report.add("missing_in_file", amount.currency, amount.amountMinor);
        await sink({
          class: "missing_in_file",
          key: `missing_in_file|${transaction.transactionId}`,
          pspReference: "",
          ourReference: "",
          lineType: type,
          ledgerAmount: amount,
          ledgerTransactionId: transaction.transactionId,
          detail: `the ledger booked ${transaction.transactionId} (${formatMoney(amount)}) at ${transaction.postedAt.toISOString()}; no ${type} line of the file settles it`,
        });
      }
    };
    const missing: string[] = [];
    const pageAfter = (pageToken: string) => ledger.listTransactionIds({ postedFrom: from, postedBefore: until, idPrefixes: SETTLEABLE_PREFIXES, pageToken });
    let next = pageAfter("");
    for (;;) {
      const page = await next;
      // The next page is read while this one is checked (a failure surfaces when it is awaited).
      if (page.nextPageToken !== "") (next = pageAfter(page.nextPageToken)).catch(() => {});
      for (const transactionId of page.transactionIds) {
        const type = settlingLineType(transactionId);
        if (type === undefined || outcome.seen.has(movementKey(type, transactionId, "", "")) || matchedTheDayBefore.has(transactionId)) continue;
        missing.push(transactionId);
        if (missing.length >= config.batchSize) await report(missing.splice(0));
      }
      if (page.nextPageToken === "") break;
    }
    await report(missing);
  }

  /** Posts, per currency, what the matched lines settle beyond what earlier runs of the day posted. */
  private async settle(run: Run, outcome: LinesOutcome): Promise<string[]> {
    const { store, ledger } = this.deps;
    const settled = await store.settledSoFar(run.date);
    const changes: string[] = [];
    for (const currency of new Set([...outcome.totals.keys(), ...settled.keys()])) {
      const before = settled.get(currency) ?? { totals: NO_SETTLEMENT, postings: 0 };
      const delta = totalsDelta(outcome.totals.get(currency) ?? NO_SETTLEMENT, before.totals);
      const plan = settlementPosting({ date: run.date, currency, sequence: before.postings + 1, totals: delta });
      if (plan === undefined) continue;
      await ledger.openAccounts(plan.accounts);
      await ledger.post(plan.posting);
      if (await store.recordSettlement(run.date, currency, before.postings + 1, plan.posting.transactionId, delta, run.id)) {
        changes.push(`posted ${plan.posting.transactionId}`);
      }
    }
    return changes;
  }

  private async autoFix(run: Run): Promise<string[]> {
    const { store, psp, payments } = this.deps;
    const changes: string[] = [];
    let afterId: bigint | undefined;
    for (;;) {
      const open = await store.listExceptions({ runId: run.id, status: "open", afterId, limit: 100 });
      if (open.length === 0) return changes;
      afterId = open.at(-1)!.id;
      for (const exception of open.filter((e) => e.class === "missing_in_ledger")) {
        const fix = await autoFixMissingInLedger(exception, psp, payments);
        if (fix.fixed) {
          if (await store.markAutoFixed(exception.id, fix.resolution)) changes.push(`exception ${exception.id} auto-fixed: ${fix.resolution}`);
        } else if (await store.noteNotFixed(exception.id, fix.why)) {
          changes.push(`exception ${exception.id} left open: ${fix.why}`);
        }
      }
    }
  }
}
