import type { Knex } from "knex";
import type { Db } from "../../lib/db.js";
import { present } from "../../lib/invariant.js";
import type {
  Adjustments,
  ClaimedAdjustment,
  ExceptionQuery,
  RecordedSettlement,
  RunOutcome,
  RunRecords,
  SettledMovement,
} from "../app/ports.js";
import { NO_SETTLEMENT, type SettlementInput, type SettlementTotals } from "../domain/settlement-posting.js";
import type { Money } from "../../lib/money.js";
import type { Direction } from "../../contracts/accounting/accounts.js";
import type { Entry } from "../../contracts/accounting/postings.js";
import type {
  AdjustmentRecord,
  ExceptionStatus,
  FoundException,
  Run,
  RunStatus,
  StoredException,
} from "../domain/exception.js";
import { reportFromJson, reportToJson } from "../domain/report.js";

/** The advisory lock space of "one execution per settlement day" (the key within it is the date's hash). */
const DAY_LOCK_SPACE = 0x5245;

interface RunRow {
  id: bigint;
  settlement_date: string;
  checksum: string;
  source: string;
  status: RunStatus;
  lines: bigint;
  report: ReturnType<typeof reportToJson>;
  closing_balances: { currency: string; amount_minor: string }[];
  balance_check_note: string | null;
  error: string;
  executions: number;
  cut_at: Date | null;
  started_at: Date;
  finished_at: Date | null;
}

/** The exceptions table's columns. */
interface ExceptionColumns {
  id: bigint;
  settlement_date: string;
  key: string;
  class: FoundException["class"];
  last_run_id: bigint;
  line_number: bigint | null;
  psp_reference: string;
  our_reference: string;
  line_type: string;
  file_amount_minor: bigint | null;
  file_currency: string | null;
  file_fee_minor: bigint | null;
  ledger_amount_minor: bigint | null;
  ledger_currency: string | null;
  ledger_transaction_id: string;
  detail: string;
  status: ExceptionStatus;
  resolution: string;
  created_at: Date;
  updated_at: Date;
  pending_adjustment: PendingAdjustmentJson | null;
}

/** An exception's adjustment, joined to it by exceptionsQuery. */
interface JoinedAdjustment {
  adjustment_transaction_id: string;
  operator_id: string;
  reason: string;
  idempotency_key: string;
  adjusted_at: Date;
  adjustment_description: string;
  adjustment_entries: StoredEntry[];
}

/** Every column of the adjustment when the exception has one (they are not null in their table), or none. */
type AdjustmentColumns = JoinedAdjustment | { [column in keyof JoinedAdjustment]: null };

/** An exception as exceptionsQuery reads it. */
type ExceptionRow = ExceptionColumns & AdjustmentColumns;

interface PendingAdjustmentJson {
  transaction_id: string;
  description: string;
  entries: StoredEntry[];
  operator_id: string;
  reason: string;
  idempotency_key: string;
  claimed_at: string;
}

/** An adjustment's entry as the adjustments table keeps it. */
interface StoredEntry {
  account_code: string;
  direction: Direction;
  amount_minor: string;
  currency: string;
}

const entryToJson = (e: Entry): StoredEntry => ({
  account_code: e.accountCode,
  direction: e.direction,
  amount_minor: e.amount.amountMinor.toString(),
  currency: e.amount.currency,
});
const entryFromJson = (e: StoredEntry): Entry => ({
  accountCode: e.account_code,
  direction: e.direction,
  amount: { amountMinor: BigInt(e.amount_minor), currency: e.currency },
});

const toRun = (row: RunRow): Run => ({
  id: row.id,
  date: row.settlement_date,
  checksum: row.checksum,
  source: row.source,
  status: row.status,
  lines: Number(row.lines),
  report: reportFromJson(row.report),
  closingBalances: row.closing_balances.map((b) => ({ currency: b.currency, amountMinor: BigInt(b.amount_minor) })),
  balanceCheckNote: row.balance_check_note ?? undefined,
  error: row.error,
  executions: row.executions,
  cutAt: row.cut_at ?? undefined,
  startedAt: row.started_at,
  finishedAt: row.finished_at ?? undefined,
});

const money = (amountMinor: bigint | null, currency: string | null): Money | undefined =>
  amountMinor === null || currency === null ? undefined : { amountMinor, currency };

function adjustmentOf(row: ExceptionRow): AdjustmentRecord | undefined {
  const pending = row.pending_adjustment;
  if (pending !== null) {
    return {
      transactionId: pending.transaction_id,
      operatorId: pending.operator_id,
      reason: pending.reason,
      idempotencyKey: pending.idempotency_key,
      adjustedAt: new Date(pending.claimed_at),
      posting: {
        transactionId: pending.transaction_id,
        description: pending.description,
        entries: pending.entries.map(entryFromJson),
      },
    };
  }
  if (row.adjustment_transaction_id === null) return undefined;
  return {
    transactionId: row.adjustment_transaction_id,
    operatorId: row.operator_id,
    reason: row.reason,
    idempotencyKey: row.idempotency_key,
    adjustedAt: row.adjusted_at,
    posting: {
      transactionId: row.adjustment_transaction_id,
      description: row.adjustment_description,
      entries: row.adjustment_entries.map(entryFromJson),
    },
  };
}

const toException = (row: ExceptionRow): StoredException => ({
  id: row.id,
  date: row.settlement_date,
  key: row.key,
  class: row.class,
  lastRunId: row.last_run_id,
  lineNumber: row.line_number === null ? undefined : Number(row.line_number),
  pspReference: row.psp_reference,
  ourReference: row.our_reference,
  lineType: row.line_type,
  fileAmount: money(row.file_amount_minor, row.file_currency),
  fileFee: row.file_fee_minor ?? undefined,
  ledgerAmount: money(row.ledger_amount_minor, row.ledger_currency),
  ledgerTransactionId: row.ledger_transaction_id,
  detail: row.detail,
  status: row.status,
  resolution: row.resolution,
  adjustment: adjustmentOf(row),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const totalsToJson = (t: SettlementTotals) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)]));
const totalsFromJson = (json: Record<string, string>): SettlementTotals =>
  Object.fromEntries(Object.keys(NO_SETTLEMENT).map((k) => [k, BigInt(json[k] ?? "0")])) as unknown as SettlementTotals;

/** The fields of an exception that a later run may find different; a re-run that finds them all equal changes nothing. */
const FOUND_COLUMNS = [
  "class",
  "last_run_id",
  "line_number",
  "psp_reference",
  "our_reference",
  "line_type",
  "file_amount_minor",
  "file_currency",
  "file_fee_minor",
  "ledger_amount_minor",
  "ledger_currency",
  "ledger_transaction_id",
  "detail",
];

/** The reconciliation schema's tables: the only code that touches them. */
export class ReconciliationStore implements RunRecords, Adjustments {
  constructor(private readonly db: Db) {}

  async countRunsByStatus(): Promise<Map<string, number>> {
    const { rows } = await this.db.raw("select status, count(*)::int as runs from runs group by status");
    return new Map(rows.map((r: { status: string; runs: number }) => [r.status, r.runs]));
  }

  async countOpenExceptions(): Promise<number> {
    const [row] = await this.db("exceptions").where({ status: "open" }).count<{ n: string }[]>("* as n");
    return Number(row?.n ?? 0);
  }

  /**
   * Runs `work` holding the day: one execution per settlement day at a time, whichever instance runs it. The lock
   * belongs to a database transaction kept open meanwhile, so it goes away with a process that dies. Undefined when
   * another execution holds the day.
   */
  async withDayLock<T>(date: string, work: () => Promise<T>): Promise<{ value: T } | undefined> {
    return this.db.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { locked: boolean }[] }>(
        "select pg_try_advisory_xact_lock(?, hashtext(?)) as locked",
        [DAY_LOCK_SPACE, date],
      );
      const { locked } = present(rows[0], "a select without a from answers one row");
      return locked ? { value: await work() } : undefined;
    });
  }

  /** The run of this day and file, created or taken up again (status running); call it holding the day. */
  async claimRun(
    date: string,
    checksum: string,
    source: string,
    cutAt: Date | undefined,
  ): Promise<{ run: Run; created: boolean }> {
    const { rows } = await this.db.raw<{ rows: (RunRow & { created: boolean })[] }>(
      `insert into runs (settlement_date, checksum, source, cut_at, status, executions) values (?, ?, ?, ?, 'running', 1)
       on conflict (settlement_date, checksum) do update
         set status = 'running', source = excluded.source, cut_at = excluded.cut_at, executions = runs.executions + 1, claimed_at = now(), error = ''
       returning *, (xmax = 0) as created`,
      [date, checksum, source, cutAt ?? null],
    );
    const row = present(rows[0], `an upsert of the run of ${date} and ${checksum} returns it`);
    return { run: toRun(row), created: row.created };
  }

  /**
   * A finished run of the day whose file supersedes this one: cut later, or cut at the same time and reconciled
   * after this file's own run. Running the older file again would undo what the newer one settled.
   */
  async supersedingRun(date: string, checksum: string, cutAt: Date | undefined): Promise<Run | undefined> {
    const row: RunRow | undefined = await this.db("runs as r")
      .where({ "r.settlement_date": date, "r.status": "finished" })
      .whereNot("r.checksum", checksum)
      .whereRaw(
        `(coalesce(r.cut_at, 'infinity') > coalesce(?::timestamptz, 'infinity')
          or (coalesce(r.cut_at, 'infinity') = coalesce(?::timestamptz, 'infinity')
              and r.id > (select id from runs where settlement_date = r.settlement_date and checksum = ?)))`,
        [cutAt ?? null, cutAt ?? null, checksum],
      )
      .orderBy("r.id", "desc")
      .first("r.*");
    return row && toRun(row);
  }

  /**
   * Whether the day wants a run: none finished it since its last failure (or ever), or its last execution fixed a
   * missing charge automatically, which only a new run finds booked and settles.
   */
  async dayIsDue(date: string): Promise<boolean> {
    const latest: RunRow | undefined = await this.db("runs")
      .where({ settlement_date: date })
      .orderBy("claimed_at", "desc")
      .first();
    if (latest === undefined || latest.status === "failed") return true;
    if (latest.status === "running") return false;
    const awaiting = await this.db("exceptions")
      .where({
        settlement_date: date,
        class: "missing_in_ledger",
        status: "auto_fixed",
        last_run_id: latest.id,
        last_execution: latest.executions,
      })
      .first("id");
    return awaiting !== undefined;
  }

  /** Records the run's outcome; true when its lines or report differ from what the last execution recorded. */
  async finishRun(runId: bigint, outcome: RunOutcome): Promise<boolean> {
    const report = JSON.stringify(reportToJson(outcome.report));
    const closing = JSON.stringify(
      outcome.closingBalances.map((b) => ({ currency: b.currency, amount_minor: b.amountMinor.toString() })),
    );
    const { rows } = await this.db.raw<{ rows: { changed: boolean }[] }>(
      `update runs r set status = 'finished', finished_at = now(), lines = ?, report = ?::jsonb, closing_balances = ?::jsonb,
         balance_check_note = ?
       from (select lines, report, closing_balances from runs where id = ? for update) before
       where r.id = ?
       returning (before.lines, before.report, before.closing_balances) is distinct from (r.lines, r.report, r.closing_balances) as changed`,
      [outcome.lines, report, closing, outcome.balanceCheckNote ?? null, String(runId), String(runId)],
    );
    return present(rows[0], `run ${runId}, claimed, exists to finish`).changed;
  }

  async failRun(runId: bigint, error: string): Promise<void> {
    await this.db("runs").where({ id: runId }).update({ status: "failed", finished_at: this.db.fn.now(), error });
  }

  async getRun(runId: bigint): Promise<Run | undefined> {
    const row: RunRow | undefined = await this.db("runs").where({ id: runId }).first();
    return row && toRun(row);
  }

  /**
   * The run whose file stands for the latest settlement day before `date` that a run finished: of that day's
   * finished runs, the file cut latest (the whole day last), then the newest.
   */
  async latestFinishedRunBefore(date: string): Promise<Run | undefined> {
    const row: RunRow | undefined = await this.db("runs")
      .where({ status: "finished" })
      .where("settlement_date", "<", date)
      .orderBy("settlement_date", "desc")
      .orderByRaw("coalesce(cut_at, 'infinity') desc, id desc")
      .first();
    return row && toRun(row);
  }

  /** Newest first. */
  async listRuns(query: { date?: string; beforeId?: bigint; limit: number }): Promise<Run[]> {
    const q = this.db("runs").orderBy("id", "desc").limit(query.limit);
    if (query.date !== undefined) q.where("settlement_date", query.date);
    if (query.beforeId !== undefined) q.where("id", "<", String(query.beforeId));
    return ((await q) as RunRow[]).map(toRun);
  }

  /**
   * Inserts new exceptions, updates those found again with other details, reopens those closed automatically that
   * are found again, and stamps them all with this execution; returns how many it wrote and reopened.
   */
  async upsertExceptions(
    date: string,
    run: Pick<Run, "id" | "executions">,
    found: FoundException[],
  ): Promise<{ written: number; reopened: number }> {
    if (found.length === 0) return { written: 0, reopened: 0 };
    const runId = run.id;
    const rows = found.map((e) => ({
      settlement_date: date,
      key: e.key,
      class: e.class,
      first_run_id: runId,
      last_run_id: runId,
      line_number: e.lineNumber ?? null,
      psp_reference: e.pspReference,
      our_reference: e.ourReference,
      line_type: e.lineType,
      file_amount_minor: e.fileAmount?.amountMinor ?? null,
      file_currency: e.fileAmount?.currency ?? null,
      file_fee_minor: e.fileFee ?? null,
      ledger_amount_minor: e.ledgerAmount?.amountMinor ?? null,
      ledger_currency: e.ledgerAmount?.currency ?? null,
      ledger_transaction_id: e.ledgerTransactionId,
      detail: e.detail,
    }));
    const insert = this.db("exceptions").insert(rows).toSQL();
    const set = FOUND_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ");
    const changed = FOUND_COLUMNS.map((c) => `exceptions.${c} is distinct from excluded.${c}`).join(" or ");
    const { rows: written } = await this.db.raw<{ rows: unknown[] }>(
      `${insert.sql} on conflict (settlement_date, key) do update set ${set}, updated_at = now() where ${changed} returning id`,
      insert.bindings as Knex.RawBinding[],
    );
    const keys = found.map((e) => e.key);
    const reopened = await this.db("exceptions")
      .where({ settlement_date: date, status: "auto_fixed" })
      .whereIn("key", keys)
      .update({
        status: "open",
        resolution: this.db.raw("'found again by run ' || ? || '; before: ' || resolution", [String(runId)]),
        updated_at: this.db.fn.now(),
      });
    await this.db("exceptions")
      .where({ settlement_date: date })
      .whereIn("key", keys)
      .update({ last_execution: run.executions });
    return { written: written.length, reopened };
  }

  /** Open exceptions of the day that this execution did not find: they are gone (fixed elsewhere, or a new file). */
  async resolveNotFoundAgain(date: string, run: Pick<Run, "id" | "executions">): Promise<number> {
    return this.db("exceptions")
      .where({ settlement_date: date, status: "open" })
      .whereRaw("(last_run_id, last_execution) <> (?, ?)", [String(run.id), run.executions])
      .update({ status: "auto_fixed", resolution: `not found again by run ${run.id}`, updated_at: this.db.fn.now() });
  }

  async markAutoFixed(exceptionId: bigint, resolution: string): Promise<boolean> {
    const updated = await this.db("exceptions")
      .where({ id: exceptionId, status: "open" })
      .update({ status: "auto_fixed", resolution, updated_at: this.db.fn.now() });
    return updated > 0;
  }

  /** Says why an open exception could not be fixed automatically; true when that is news. */
  async noteNotFixed(exceptionId: bigint, why: string): Promise<boolean> {
    const resolution = `not fixed automatically: ${why}`;
    const updated = await this.db("exceptions")
      .where({ id: exceptionId, status: "open" })
      .whereNot({ resolution })
      .update({ resolution, updated_at: this.db.fn.now() });
    return updated > 0;
  }

  private exceptionsQuery() {
    return this.db("exceptions as x")
      .leftJoin("adjustments as a", "a.exception_id", "x.id")
      .select(
        "x.*",
        "a.transaction_id as adjustment_transaction_id",
        "a.operator_id",
        "a.reason",
        "a.idempotency_key",
        "a.adjusted_at",
        "a.description as adjustment_description",
        "a.entries as adjustment_entries",
      );
  }

  async getException(exceptionId: bigint): Promise<StoredException | undefined> {
    const row: ExceptionRow | undefined = await this.exceptionsQuery().where("x.id", String(exceptionId)).first();
    return row && toException(row);
  }

  /** Oldest first: those a run last found, or those of a day. */
  async listExceptions(query: ExceptionQuery): Promise<StoredException[]> {
    const q = this.exceptionsQuery().orderBy("x.id").limit(query.limit);
    if (query.runId !== undefined) q.where("x.last_run_id", String(query.runId));
    if (query.date !== undefined) q.where("x.settlement_date", query.date);
    if (query.status !== undefined) q.where("x.status", query.status);
    if (query.afterId !== undefined) q.where("x.id", ">", String(query.afterId));
    return ((await q) as ExceptionRow[]).map(toException);
  }

  /** The day's settlement postings, by currency and sequence; `pending` ones an interrupted run may not have posted. */
  async settlements(date: string): Promise<RecordedSettlement[]> {
    const rows: { currency: string; sequence: number; totals: Record<string, string>; status: "pending" | "posted" }[] =
      await this.db("settlement_postings")
        .where({ settlement_date: date })
        .orderBy(["currency", "sequence"])
        .select("currency", "sequence", "totals", "status");
    return rows.map((row) => ({
      date,
      currency: row.currency,
      sequence: row.sequence,
      totals: totalsFromJson(row.totals),
      status: row.status,
    }));
  }

  /** Records a settlement posting before it is posted, so that whatever happens next, the next run posts it. */
  async recordPendingSettlement(settlement: SettlementInput, transactionId: string, runId: bigint): Promise<void> {
    await this.db("settlement_postings").insert({
      settlement_date: settlement.date,
      currency: settlement.currency,
      sequence: settlement.sequence,
      transaction_id: transactionId,
      totals: JSON.stringify(totalsToJson(settlement.totals)),
      run_id: runId,
      status: "pending",
    });
  }

  async markSettlementPosted(settlement: Pick<SettlementInput, "date" | "currency" | "sequence">): Promise<void> {
    await this.db("settlement_postings")
      .where({ settlement_date: settlement.date, currency: settlement.currency, sequence: settlement.sequence })
      .update({ status: "posted" });
  }

  /**
   * Claims the movements for this day's settlement, unless another day settled them first: answers, for those another
   * day holds, that day (by `<line type>|<transaction id>`). The claims of the day are stamped with this execution.
   * One statement, the movements as two arrays, answers the movements it could not claim (usually none); only those
   * are looked up again for the day that holds them.
   */
  async claimSettled(
    date: string,
    run: Pick<Run, "id" | "executions">,
    movements: SettledMovement[],
  ): Promise<Map<string, string>> {
    const settledElsewhere = new Map<string, string>();
    if (movements.length === 0) return settledElsewhere;
    const lineTypes = movements.map((m) => m.lineType);
    const transactionIds = movements.map((m) => m.transactionId);
    const { rows: unclaimed } = await this.db.raw<{ rows: { line_type: string; transaction_id: string }[] }>(
      `with asked as (select * from unnest(?::text[], ?::text[]) as m (line_type, transaction_id)),
       claimed as (
         insert into settled_movements (line_type, transaction_id, settlement_date, run_id, execution)
         select line_type, transaction_id, ?, ?, ? from asked
         on conflict (line_type, transaction_id) do update set run_id = excluded.run_id, execution = excluded.execution
         where settled_movements.settlement_date = excluded.settlement_date
         returning line_type, transaction_id)
       select line_type, transaction_id from asked except select line_type, transaction_id from claimed`,
      [lineTypes, transactionIds, date, String(run.id), run.executions],
    );
    if (unclaimed.length === 0) return settledElsewhere;
    const held: { line_type: string; transaction_id: string; settlement_date: string }[] = await this.db(
      "settled_movements",
    )
      .whereIn(
        ["line_type", "transaction_id"],
        unclaimed.map((m) => [m.line_type, m.transaction_id]),
      )
      .whereNot({ settlement_date: date })
      .select("line_type", "transaction_id", "settlement_date");
    for (const row of held) settledElsewhere.set(`${row.line_type}|${row.transaction_id}`, row.settlement_date);
    return settledElsewhere;
  }

  /** The day's claims that this execution did not make again: its file no longer settles them. */
  async releaseUnclaimed(date: string, run: Pick<Run, "id" | "executions">): Promise<number> {
    return this.db("settled_movements")
      .where({ settlement_date: date })
      .whereRaw("(run_id, execution) <> (?, ?)", [String(run.id), run.executions])
      .delete();
  }

  async boundaryMatches(date: string): Promise<Set<string>> {
    const rows: { transaction_id: string }[] = await this.db("boundary_matches")
      .where({ settlement_date: date })
      .select("transaction_id");
    return new Set(rows.map((r) => r.transaction_id));
  }

  async saveBoundaryMatches(date: string, transactionIds: string[]): Promise<void> {
    for (let i = 0; i < transactionIds.length; i += 1000) {
      const rows = transactionIds
        .slice(i, i + 1000)
        .map((transaction_id) => ({ settlement_date: date, transaction_id }));
      await this.db("boundary_matches").insert(rows).onConflict(["settlement_date", "transaction_id"]).ignore();
    }
  }

  /**
   * Takes an open exception for an adjustment, before anything is posted: the exception becomes 'adjusting', with the
   * whole posting, who and why. False when it was no longer open.
   */
  async claimAdjustment(exceptionId: bigint, adjustment: ClaimedAdjustment): Promise<boolean> {
    const pending: PendingAdjustmentJson = {
      transaction_id: adjustment.posting.transactionId,
      description: adjustment.posting.description,
      entries: adjustment.posting.entries.map(entryToJson),
      operator_id: adjustment.operatorId,
      reason: adjustment.reason,
      idempotency_key: adjustment.idempotencyKey,
      claimed_at: new Date().toISOString(),
    };
    const claimed = await this.db("exceptions")
      .where({ id: exceptionId, status: "open" })
      .update({ status: "adjusting", pending_adjustment: JSON.stringify(pending), updated_at: this.db.fn.now() });
    return claimed > 0;
  }

  /** The ledger refused the adjustment: the exception is open again, as it was. */
  async releaseAdjustment(exceptionId: bigint): Promise<void> {
    await this.db("exceptions")
      .where({ id: exceptionId, status: "adjusting" })
      .update({ status: "open", pending_adjustment: null, updated_at: this.db.fn.now() });
  }

  /**
   * The ledger has the adjustment: it joins the audit trail (immutable) and the exception is closed, in one database
   * transaction. Answers the exception as it is after.
   */
  async completeAdjustment(exceptionId: bigint): Promise<StoredException> {
    await this.db.transaction(async (trx) => {
      const row: { pending_adjustment: PendingAdjustmentJson } | undefined = await trx("exceptions")
        .where({ id: exceptionId, status: "adjusting" })
        .forUpdate()
        .first("pending_adjustment");
      if (row === undefined) return;
      const adjustment = row.pending_adjustment;
      await trx("adjustments").insert({
        exception_id: exceptionId,
        transaction_id: adjustment.transaction_id,
        description: adjustment.description,
        entries: JSON.stringify(adjustment.entries),
        operator_id: adjustment.operator_id,
        reason: adjustment.reason,
        idempotency_key: adjustment.idempotency_key,
      });
      await trx("exceptions")
        .where({ id: exceptionId })
        .update({
          status: "adjusted",
          pending_adjustment: null,
          resolution: `adjusted by ${adjustment.operator_id}: ${adjustment.reason}`,
          updated_at: trx.fn.now(),
        });
    });
    return present(await this.getException(exceptionId), `exception ${exceptionId}, claimed for adjustment, exists`);
  }
}
