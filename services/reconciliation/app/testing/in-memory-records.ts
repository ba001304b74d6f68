import type { FoundException, Run, StoredException } from "../../domain/exception.js";
import type { SettlementInput } from "../../domain/settlement-posting.js";
import type {
  Adjustments,
  ClaimedAdjustment,
  ExceptionQuery,
  Execution,
  RecordedSettlement,
  RunOutcome,
  RunRecords,
  SettledMovement,
} from "../ports.js";

type RunRow = Run & { claimedAt: number };
type ExceptionRow = StoredException & { lastExecution: number };
type Claim = { date: string; runId: bigint; execution: number };

/** The fields of an exception that a later run may find different (the store's FOUND_COLUMNS). */
const foundFields = (e: FoundException & { lastRunId: bigint }) =>
  JSON.stringify(
    [
      e.class,
      e.lastRunId,
      e.lineNumber,
      e.pspReference,
      e.ourReference,
      e.lineType,
      e.fileAmount,
      e.fileFee,
      e.ledgerAmount,
      e.ledgerTransactionId,
      e.detail,
    ],
    (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
  );
const sameExecution = (row: { runId: bigint; execution: number }, run: Execution) =>
  row.runId === run.id && row.execution === run.executions;
/** A file cut at no time covers the whole day: it sorts after every cut. */
const cutOf = (cutAt: Date | undefined) => cutAt?.getTime() ?? Infinity;

/**
 * The reconciliation store in memory, for unit tests: the same answers as the SQL store (migrations 001 on), one
 * statement at a time. The day lock keeps a second execution of the day out; nothing is rolled back when work throws,
 * as in SQL (what a run records commits as it goes).
 */
export class InMemoryRecords implements RunRecords, Adjustments {
  readonly runs = new Map<bigint, RunRow>();
  readonly exceptions = new Map<bigint, ExceptionRow>();
  readonly postings: (RecordedSettlement & { transactionId: string; runId: bigint })[] = [];
  readonly claims = new Map<string, Claim>();
  readonly boundary = new Map<string, Set<string>>();
  private readonly heldDays = new Set<string>();
  private lastRunId = 0n;
  private lastExceptionId = 0n;
  private clock = 0;
  /** What now() is in the rows written. */
  now = () => new Date("2024-03-07T00:00:00.000Z");

  async withDayLock<T>(date: string, work: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.heldDays.has(date)) return undefined;
    this.heldDays.add(date);
    try {
      return { value: await work() };
    } finally {
      this.heldDays.delete(date);
    }
  }

  async claimRun(
    date: string,
    checksum: string,
    source: string,
    cutAt: Date | undefined,
  ): Promise<{ run: Run; created: boolean }> {
    const existing = [...this.runs.values()].find((r) => r.date === date && r.checksum === checksum);
    const claimedAt = ++this.clock;
    if (existing !== undefined) {
      const run = {
        ...existing,
        status: "running" as const,
        source,
        cutAt,
        executions: existing.executions + 1,
        claimedAt,
        error: "",
      };
      this.runs.set(run.id, run);
      return { run: publicRun(run), created: false };
    }
    const run: RunRow = {
      id: ++this.lastRunId,
      date,
      checksum,
      source,
      status: "running",
      lines: 0,
      report: [],
      closingBalances: [],
      error: "",
      executions: 1,
      cutAt,
      startedAt: this.now(),
      claimedAt,
    };
    this.runs.set(run.id, run);
    return { run: publicRun(run), created: true };
  }

  async supersedingRun(date: string, checksum: string, cutAt: Date | undefined): Promise<Run | undefined> {
    const own = [...this.runs.values()].find((r) => r.date === date && r.checksum === checksum);
    const newer = [...this.runs.values()]
      .filter((r) => r.date === date && r.status === "finished" && r.checksum !== checksum)
      .filter(
        (r) => cutOf(r.cutAt) > cutOf(cutAt) || (cutOf(r.cutAt) === cutOf(cutAt) && own !== undefined && r.id > own.id),
      )
      .sort((a, b) => Number(b.id - a.id));
    return newer[0] && publicRun(newer[0]);
  }

  async dayIsDue(date: string): Promise<boolean> {
    const [latest] = [...this.runs.values()].filter((r) => r.date === date).sort((a, b) => b.claimedAt - a.claimedAt);
    if (latest === undefined || latest.status === "failed") return true;
    if (latest.status === "running") return false;
    return [...this.exceptions.values()].some(
      (e) =>
        e.date === date &&
        e.class === "missing_in_ledger" &&
        e.status === "auto_fixed" &&
        e.lastRunId === latest.id &&
        e.lastExecution === latest.executions,
    );
  }

  async finishRun(runId: bigint, outcome: RunOutcome): Promise<boolean> {
    const before = this.runs.get(runId)!;
    const json = (r: RunOutcome) =>
      JSON.stringify([r.lines, r.report, r.closingBalances], (_k, v: unknown) =>
        typeof v === "bigint" ? v.toString() : v,
      );
    this.runs.set(runId, { ...before, ...outcome, status: "finished", finishedAt: this.now() });
    return json(before) !== json(outcome);
  }

  async failRun(runId: bigint, error: string): Promise<void> {
    this.runs.set(runId, { ...this.runs.get(runId)!, status: "failed", finishedAt: this.now(), error });
  }

  async getRun(runId: bigint): Promise<Run | undefined> {
    const run = this.runs.get(runId);
    return run && publicRun(run);
  }

  async latestFinishedRunBefore(date: string): Promise<Run | undefined> {
    const [latest] = [...this.runs.values()]
      .filter((r) => r.status === "finished" && r.date < date)
      .sort((a, b) => b.date.localeCompare(a.date) || cutOf(b.cutAt) - cutOf(a.cutAt) || Number(b.id - a.id));
    return latest && publicRun(latest);
  }

  async upsertExceptions(
    date: string,
    run: Execution,
    foundNow: FoundException[],
  ): Promise<{ written: number; reopened: number }> {
    let written = 0;
    let reopened = 0;
    for (const e of foundNow) {
      const existing = this.exceptionOf(date, e.key);
      const updated = { ...e, lastRunId: run.id };
      if (existing === undefined) {
        const now = this.now();
        const id = ++this.lastExceptionId;
        this.exceptions.set(id, {
          ...updated,
          id,
          date,
          status: "open",
          resolution: "",
          adjustment: undefined,
          createdAt: now,
          updatedAt: now,
          lastExecution: run.executions,
        });
        written++;
      } else if (foundFields(existing) !== foundFields(updated)) {
        this.exceptions.set(existing.id, { ...existing, ...updated, updatedAt: this.now() });
        written++;
      }
    }
    for (const e of foundNow) {
      const row = this.exceptionOf(date, e.key)!;
      const reopen = row.status === "auto_fixed";
      if (reopen) reopened++;
      this.exceptions.set(row.id, {
        ...row,
        lastExecution: run.executions,
        ...(reopen && { status: "open", resolution: `found again by run ${run.id}; before: ${row.resolution}` }),
      });
    }
    return { written, reopened };
  }

  async resolveNotFoundAgain(date: string, run: Execution): Promise<number> {
    const gone = [...this.exceptions.values()].filter(
      (e) =>
        e.date === date &&
        e.status === "open" &&
        !sameExecution({ runId: e.lastRunId, execution: e.lastExecution }, run),
    );
    for (const e of gone)
      this.exceptions.set(e.id, {
        ...e,
        status: "auto_fixed",
        resolution: `not found again by run ${run.id}`,
        updatedAt: this.now(),
      });
    return gone.length;
  }

  async listExceptions(query: ExceptionQuery): Promise<StoredException[]> {
    return [...this.exceptions.values()]
      .filter(
        (e) =>
          (query.runId === undefined || e.lastRunId === query.runId) &&
          (query.date === undefined || e.date === query.date),
      )
      .filter(
        (e) =>
          (query.status === undefined || e.status === query.status) &&
          (query.afterId === undefined || e.id > query.afterId),
      )
      .sort((a, b) => Number(a.id - b.id))
      .slice(0, query.limit)
      .map(publicException);
  }

  async markAutoFixed(exceptionId: bigint, resolution: string): Promise<boolean> {
    return this.update(exceptionId, (e) => e.status === "open", { status: "auto_fixed", resolution });
  }

  async noteNotFixed(exceptionId: bigint, why: string): Promise<boolean> {
    const resolution = `not fixed automatically: ${why}`;
    return this.update(exceptionId, (e) => e.status === "open" && e.resolution !== resolution, { resolution });
  }

  async getException(exceptionId: bigint): Promise<StoredException | undefined> {
    const row = this.exceptions.get(exceptionId);
    return row && publicException(row);
  }

  async claimAdjustment(exceptionId: bigint, adjustment: ClaimedAdjustment): Promise<boolean> {
    const { posting, ...who } = adjustment;
    return this.update(exceptionId, (e) => e.status === "open", {
      status: "adjusting",
      adjustment: { ...who, posting, transactionId: posting.transactionId, adjustedAt: this.now() },
    });
  }

  async releaseAdjustment(exceptionId: bigint): Promise<void> {
    this.update(exceptionId, (e) => e.status === "adjusting", { status: "open", adjustment: undefined });
  }

  async completeAdjustment(exceptionId: bigint): Promise<StoredException> {
    const row = this.exceptions.get(exceptionId)!;
    if (row.status === "adjusting" && row.adjustment !== undefined) {
      const { operatorId, reason } = row.adjustment;
      this.update(exceptionId, () => true, {
        status: "adjusted",
        resolution: `adjusted by ${operatorId}: ${reason}`,
        adjustment: { ...row.adjustment, adjustedAt: this.now() },
      });
    }
    return (await this.getException(exceptionId))!;
  }

  async settlements(date: string): Promise<RecordedSettlement[]> {
    return this.postings
      .filter((p) => p.date === date)
      .sort((a, b) => a.currency.localeCompare(b.currency) || a.sequence - b.sequence)
      .map(({ date, currency, sequence, totals, status }) => ({ date, currency, sequence, totals, status }));
  }

  async recordPendingSettlement(settlement: SettlementInput, transactionId: string, runId: bigint): Promise<void> {
    if (
      this.postings.some(
        (p) => p.date === settlement.date && p.currency === settlement.currency && p.sequence === settlement.sequence,
      )
    ) {
      throw new Error(
        `duplicate key value violates unique constraint (settlement_postings ${settlement.date} ${settlement.currency} ${settlement.sequence})`,
      );
    }
    this.postings.push({ ...settlement, transactionId, runId, status: "pending" });
  }

  async markSettlementPosted(settlement: Pick<SettlementInput, "date" | "currency" | "sequence">): Promise<void> {
    const posting = this.postings.find(
      (p) => p.date === settlement.date && p.currency === settlement.currency && p.sequence === settlement.sequence,
    );
    if (posting) posting.status = "posted";
  }

  async claimSettled(date: string, run: Execution, movements: SettledMovement[]): Promise<Map<string, string>> {
    const settledElsewhere = new Map<string, string>();
    for (const { lineType, transactionId } of movements) {
      const key = `${lineType}|${transactionId}`;
      const claim = this.claims.get(key);
      if (claim === undefined || claim.date === date)
        this.claims.set(key, { date, runId: run.id, execution: run.executions });
      else settledElsewhere.set(key, claim.date);
    }
    return settledElsewhere;
  }

  async releaseUnclaimed(date: string, run: Execution): Promise<number> {
    const released = [...this.claims].filter(([, claim]) => claim.date === date && !sameExecution(claim, run));
    for (const [key] of released) this.claims.delete(key);
    return released.length;
  }

  async boundaryMatches(date: string): Promise<Set<string>> {
    return new Set(this.boundary.get(date));
  }

  async saveBoundaryMatches(date: string, transactionIds: string[]): Promise<void> {
    this.boundary.set(date, new Set([...(this.boundary.get(date) ?? []), ...transactionIds]));
  }

  private exceptionOf(date: string, key: string): ExceptionRow | undefined {
    return [...this.exceptions.values()].find((e) => e.date === date && e.key === key);
  }

  /** Applies `change` to the exception when `when` holds; whether it did. */
  private update(exceptionId: bigint, when: (e: ExceptionRow) => boolean, change: Partial<ExceptionRow>): boolean {
    const row = this.exceptions.get(exceptionId);
    if (row === undefined || !when(row)) return false;
    this.exceptions.set(exceptionId, { ...row, ...change, updatedAt: this.now() });
    return true;
  }
}

function publicRun({ claimedAt: _, ...run }: RunRow): Run {
  return run;
}

function publicException({ lastExecution: _, ...exception }: ExceptionRow): StoredException {
  return exception;
}
