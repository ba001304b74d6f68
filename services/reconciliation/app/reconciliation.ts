import { settlementPosting, type SettlementInput } from "../domain/settlement-posting.js";
import type { PostingPlan } from "../../contracts/accounting/postings.js";
import { aborted, DomainError } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import type { Logger } from "../../lib/log.js";
import { supersededBy, type FoundException, type Run } from "../domain/exception.js";
import { balanceBreakException, balanceBreaks, balanceCheckOf } from "../domain/balance-check.js";
import {
  missingInFileException,
  PSP_SIDE_ACCOUNTS,
  SETTLEABLE_PREFIXES,
  settlingLineType,
} from "../domain/matching.js";
import { previousDate, settlementWindow } from "../domain/settlement-day.js";
import { nextSettlements } from "../domain/settlement-totals.js";
import { autoFixMissingInLedger } from "./auto-fix.js";
import type { LedgerPort, PaymentsPort, PspPort, RunRecords, SettlementFile, SettlementFiles } from "./ports.js";
import { movementKey, reconcileLines, type LinesOutcome } from "./reconcile-lines.js";
import { checksumOf, defaultSettlementFileLimits, linesOf, type SettlementFileLimits } from "./settlement-file.js";

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
  /** A settlement file larger than this, or with a longer line, is refused whatever its source. */
  fileLimits: SettlementFileLimits;
}

export const defaultReconciliationConfig: ReconciliationConfig = {
  settlementCutoff: "00:00",
  bookingToleranceMs: 5 * 60_000,
  batchSize: 1000,
  concurrency: 4,
  fileLimits: defaultSettlementFileLimits,
};

export interface ReconciliationDeps {
  store: RunRecords;
  ledger: LedgerPort;
  /** Where the files named by callers are. */
  files: SettlementFiles;
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
 * lacks, post the settlement, fix what can be fixed, store the run and its exceptions. One execution per day at a
 * time; every step is idempotent, so running the same file again changes nothing, and a run that died half-way is
 * simply run again.
 */
export class Reconciliation {
  constructor(private readonly deps: ReconciliationDeps) {}

  /** Reconciles `date` against the file `fileName` names in the settlement directory, or else the PSP's file. */
  async run(date: string, fileName?: string): Promise<RunResult> {
    const file = fileName ? await this.deps.files.open(fileName) : await this.deps.psp.settlementFile(date);
    try {
      const checksum = await checksumOf(file, this.deps.config.fileLimits);
      const held = await this.deps.store.withDayLock(date, () => this.claimAndExecute(date, checksum, file));
      if (held === undefined) throw aborted(`a reconciliation run of ${date} is under way; try again when it is over`);
      return held.value;
    } finally {
      await file.release();
    }
  }

  /** Holding the day: refuses a file a newer one superseded, then (re)runs this file's run. */
  private async claimAndExecute(date: string, checksum: string, file: SettlementFile): Promise<RunResult> {
    const { store, log } = this.deps;
    const newer = await store.supersedingRun(date, checksum, file.cutAt);
    if (newer !== undefined) throw supersededBy(newer, date, file.cutAt);
    const { run, created } = await store.claimRun(date, checksum, file.source, file.cutAt);
    try {
      const changes = await this.execute(run, file);
      return {
        run: present(await store.getRun(run.id), `run ${run.id}, claimed, still exists`),
        changes: created ? [`run ${run.id} created for ${date}`, ...changes] : changes,
      };
    } catch (err) {
      const told =
        err instanceof DomainError ? err.message : "internal error (the service's log has the details); run it again";
      if (!(err instanceof DomainError))
        log.error("reconciliation run failed", { runId: run.id, date, error: String((err as Error)?.stack ?? err) });
      await store.failRun(run.id, told);
      throw err;
    }
  }

  private async execute(run: Run, file: SettlementFile): Promise<string[]> {
    const { store, ledger, config, log } = this.deps;
    const window = settlementWindow(run.date, config.settlementCutoff);
    const changes: string[] = [];
    const pending: FoundException[] = [];
    let written = 0;
    let reopened = 0;
    // The file's reading and its batches' matching both find exceptions: their writes go one after the other, in order.
    let flushed = Promise.resolve();
    const flush = () => {
      const found = pending.splice(0);
      flushed = flushed.then(async () => {
        const outcome = await store.upsertExceptions(run.date, run, found);
        written += outcome.written;
        reopened += outcome.reopened;
      });
      return flushed;
    };
    const sink = async (exception: FoundException) => {
      pending.push(exception);
      if (pending.length >= EXCEPTION_BATCH) await flush();
    };

    const outcome = await reconcileLines(
      linesOf(file, config.fileLimits),
      ledger,
      (movements) => store.claimSettled(run.date, run, movements),
      sink,
      { ...config, window, boundaryFrom: window.end - config.bookingToleranceMs },
    );
    const until = Math.min(window.end, file.cutAt?.getTime() ?? window.end);
    await this.findMissingInFile(run.date, new Date(window.start), new Date(until), outcome, sink);
    const balanceCheckNote = await this.checkBalances(run, outcome, sink);
    // The run as claimed holds what its last finished execution noted.
    if (balanceCheckNote !== run.balanceCheckNote)
      changes.push(balanceCheckNote ?? "the closing balances are checked against the previous day's file now");
    await flush();
    if (written > 0) changes.push(`${written} exception(s) recorded or updated`);
    if (reopened > 0) changes.push(`${reopened} exception(s) closed automatically before found again, reopened`);
    await store.saveBoundaryMatches(run.date, outcome.boundaryMatches);

    changes.push(...(await this.settle(run, outcome)));
    const released = await store.releaseUnclaimed(run.date, run);
    if (released > 0) changes.push(`${released} movement(s) the file no longer settles, released for another day`);
    const resolved = await store.resolveNotFoundAgain(run.date, run);
    if (resolved > 0) changes.push(`${resolved} open exception(s) of ${run.date} not found again, closed`);
    changes.push(...(await this.autoFix(run)));
    const reportChanged = await store.finishRun(run.id, {
      lines: outcome.lines,
      report: outcome.report.build(),
      closingBalances: outcome.closingBalances,
      balanceCheckNote,
    });
    if (reportChanged && run.executions > 1) changes.push("report updated");
    log.info("reconciliation run finished", {
      runId: run.id,
      date: run.date,
      lines: outcome.lines,
      changes: changes.length,
    });
    return changes;
  }

  /**
   * Whether each currency's balance chains from the previous day's file: a balance_break exception where it does
   * not; what could not be checked, and why, as a note.
   */
  private async checkBalances(
    run: Run,
    outcome: LinesOutcome,
    sink: (e: FoundException) => Promise<void>,
  ): Promise<string | undefined> {
    const previous = await this.deps.store.latestFinishedRunBefore(run.date);
    const check = balanceCheckOf(run.date, previous, outcome.closingBalances);
    if ("skipped" in check) {
      this.deps.log.info("reconciliation balance check skipped", { runId: run.id, date: run.date, why: check.skipped });
      return check.skipped;
    }
    for (const found of balanceBreaks(check.against, outcome.movementsNet, outcome.closingBalances)) {
      outcome.report.add("balance_break", found.currency, found.difference);
      await sink(balanceBreakException(run.date, found));
    }
    return undefined;
  }

  /**
   * The settle-able ledger transactions posted during the day (up to the file's cut) that no line names, except those
   * the previous day's file matched near its end (booked after that cutoff).
   */
  private async findMissingInFile(
    date: string,
    from: Date,
    until: Date,
    outcome: LinesOutcome,
    sink: (e: FoundException) => Promise<void>,
  ): Promise<void> {
    if (until <= from) return;
    const { ledger, store, config } = this.deps;
    const matchedTheDayBefore = await store.boundaryMatches(previousDate(date));
    const report = async (ids: string[]) => {
      if (ids.length === 0) return;
      for (const transaction of await ledger.lookupTransactions(ids, {
        accountPrefixes: PSP_SIDE_ACCOUNTS,
        fields: ["entries", "posted_at"],
      })) {
        const type = settlingLineType(transaction.transactionId);
        const missing = missingInFileException(
          transaction,
          present(type, `${transaction.transactionId}, asked for as missing in the file, is settled by a line type`),
        );
        outcome.report.add("missing_in_file", missing.ledgerAmount.currency, missing.ledgerAmount.amountMinor);
        await sink(missing);
      }
    };
    const missing: string[] = [];
    const pageAfter = (pageToken: string) =>
      ledger.listTransactionIds({ postedFrom: from, postedBefore: until, idPrefixes: SETTLEABLE_PREFIXES, pageToken });
    let next = pageAfter("");
    for (;;) {
      const page = await next;
      // The next page is read while this one is checked (a failure surfaces when it is awaited).
      if (page.nextPageToken !== "") {
        next = pageAfter(page.nextPageToken);
        next.catch(() => {});
      }
      for (const transactionId of page.transactionIds) {
        const type = settlingLineType(transactionId);
        if (
          type === undefined ||
          outcome.named.has(movementKey(type, transactionId, "", "")) ||
          matchedTheDayBefore.has(transactionId)
        )
          continue;
        missing.push(transactionId);
        if (missing.length >= config.batchSize) await report(missing.splice(0));
      }
      if (page.nextPageToken === "") break;
    }
    await report(missing);
  }

  /**
   * Posts, per currency, what the matched lines settle beyond what earlier runs of the day settled. Each posting is
   * recorded before it is posted: one an interrupted run left pending is posted first, as it was recorded.
   */
  private async settle(run: Run, outcome: LinesOutcome): Promise<string[]> {
    const { store } = this.deps;
    const changes: string[] = [];
    const recorded = await store.settlements(run.date);
    for (const pending of recorded.filter((s) => s.status === "pending")) {
      const plan = present(
        settlementPosting(pending),
        `the pending settlement ${pending.date} ${pending.currency} #${pending.sequence}, recorded for its posting, posts something`,
      );
      await this.postSettlement(pending, plan);
      changes.push(`posted ${plan.posting.transactionId}, which an interrupted run had recorded`);
    }
    // Pending or posted, each is in the ledger now.
    for (const settlement of nextSettlements(run.date, outcome.totals, recorded)) {
      const plan = settlementPosting(settlement);
      if (plan === undefined) continue;
      await store.recordPendingSettlement(settlement, plan.posting.transactionId, run.id);
      await this.postSettlement(settlement, plan);
      changes.push(`posted ${plan.posting.transactionId}`);
    }
    return changes;
  }

  private async postSettlement(settlement: SettlementInput, plan: PostingPlan): Promise<void> {
    await this.deps.ledger.openAccounts(plan.accounts);
    await this.deps.ledger.post(plan.posting);
    await this.deps.store.markSettlementPosted(settlement);
  }

  private async autoFix(run: Run): Promise<string[]> {
    const { store, psp, payments } = this.deps;
    const changes: string[] = [];
    let afterId: bigint | undefined;
    for (;;) {
      const open = await store.listExceptions({ runId: run.id, status: "open", afterId, limit: 100 });
      const last = open.at(-1);
      if (last === undefined) return changes;
      afterId = last.id;
      for (const exception of open.filter((e) => e.class === "missing_in_ledger")) {
        // One the PSP or the payment service cannot answer for now stays open, and the next run tries again.
        const fix = await autoFixMissingInLedger(exception, psp, payments).catch((err: unknown) => ({
          fixed: false as const,
          why: `could not be checked now (${(err as Error).message})`,
        }));
        if (fix.fixed) {
          if (await store.markAutoFixed(exception.id, fix.resolution))
            changes.push(`exception ${exception.id} auto-fixed: ${fix.resolution}`);
        } else if (await store.noteNotFixed(exception.id, fix.why)) {
          changes.push(`exception ${exception.id} left open: ${fix.why}`);
        }
      }
    }
  }
}
