import type { Knex } from "knex";
import type { Db } from "../../lib/db.js";
import { NO_SETTLEMENT, type SettlementTotals } from "../../ledger/domain/chart.js";
import type { Money } from "../../lib/money.js";
import type { ExceptionStatus, FoundException, Run, RunStatus, StoredException } from "../domain/exception.js";
import { reportFromJson, reportToJson, type ReportRow } from "../domain/report.js";
import { addTotals } from "../domain/settlement-totals.js";

/** A 'running' run whose execution began longer ago than this is taken to have died, and may be run again. */
const STALE_RUN = "15 minutes";

interface RunRow {
  id: bigint;
  settlement_date: string;
  checksum: string;
  source: string;
  status: RunStatus;
  lines: bigint;
  report: ReturnType<typeof reportToJson>;
  closing_balances: { currency: string; amount_minor: string }[];
  error: string;
  executions: number;
  started_at: Date;
  finished_at: Date | null;
}

interface ExceptionRow {
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
  adjustment_transaction_id: string | null;
  operator_id: string | null;
  reason: string | null;
  idempotency_key: string | null;
  adjusted_at: Date | null;
}

const toRun = (row: RunRow): Run => ({
  id: row.id,
  date: row.settlement_date,
  checksum: row.checksum,
  source: row.source,
  status: row.status,
  lines: Number(row.lines),
  report: reportFromJson(row.report),
  closingBalances: row.closing_balances.map((b) => ({ currency: b.currency, amountMinor: BigInt(b.amount_minor) })),
  error: row.error,
  executions: row.executions,
  startedAt: row.started_at,
  finishedAt: row.finished_at ?? undefined,
});

const money = (amountMinor: bigint | null, currency: string | null): Money | undefined =>
  amountMinor === null || currency === null ? undefined : { amountMinor, currency };

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
  adjustment:
    row.adjustment_transaction_id === null
      ? undefined
      : { transactionId: row.adjustment_transaction_id, operatorId: row.operator_id!, reason: row.reason!, idempotencyKey: row.idempotency_key!, adjustedAt: row.adjusted_at! },
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const totalsToJson = (t: SettlementTotals) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)]));
const totalsFromJson = (json: Record<string, string>): SettlementTotals =>
  Object.fromEntries(Object.keys(NO_SETTLEMENT).map((k) => [k, BigInt(json[k] ?? "0")])) as unknown as SettlementTotals;

/** The fields of an exception that a later run may find different; a re-run that finds them all equal changes nothing. */
const FOUND_COLUMNS = ["class", "last_run_id", "line_number", "psp_reference", "our_reference", "line_type", "file_amount_minor", "file_currency", "file_fee_minor", "ledger_amount_minor", "ledger_currency", "ledger_transaction_id", "detail"];

export interface ExceptionQuery {
  runId?: bigint;
  date?: string;
  status?: ExceptionStatus;
  afterId?: bigint;
  limit: number;
}

/** The reconciliation schema's tables: the only code that touches them. */
export class ReconciliationStore {
  constructor(private readonly db: Db) {}

  /**
   * The run of this day and file, created or taken up again (status running); undefined while another execution of
   * it is under way.
   */
  async claimRun(date: string, checksum: string, source: string): Promise<{ run: Run; created: boolean } | undefined> {
    const { rows } = await this.db.raw<{ rows: (RunRow & { created: boolean })[] }>(
      `insert into runs (settlement_date, checksum, source, status, executions) values (?, ?, ?, 'running', 1)
       on conflict (settlement_date, checksum) do update
         set status = 'running', source = excluded.source, executions = runs.executions + 1, claimed_at = now(), error = ''
         where runs.status <> 'running' or runs.claimed_at < now() - interval '${STALE_RUN}'
       returning *, (xmax = 0) as created`,
      [date, checksum, source],
    );
    const row = rows[0];
    return row && { run: toRun(row), created: row.created };
  }

  /** Records the run's outcome; true when its lines or report differ from what the last execution recorded. */
  async finishRun(runId: bigint, outcome: { lines: number; report: ReportRow[]; closingBalances: Money[] }): Promise<boolean> {
    const report = JSON.stringify(reportToJson(outcome.report));
    const closing = JSON.stringify(outcome.closingBalances.map((b) => ({ currency: b.currency, amount_minor: b.amountMinor.toString() })));
    const { rows } = await this.db.raw<{ rows: { changed: boolean }[] }>(
      `update runs r set status = 'finished', finished_at = now(), lines = ?, report = ?::jsonb, closing_balances = ?::jsonb
       from (select lines, report, closing_balances from runs where id = ? for update) before
       where r.id = ?
       returning (before.lines, before.report, before.closing_balances) is distinct from (r.lines, r.report, r.closing_balances) as changed`,
      [outcome.lines, report, closing, String(runId), String(runId)],
    );
    return rows[0]!.changed;
  }

  async failRun(runId: bigint, error: string): Promise<void> {
    await this.db("runs").where({ id: runId }).update({ status: "failed", finished_at: this.db.fn.now(), error });
  }

  async getRun(runId: bigint): Promise<Run | undefined> {
    const row: RunRow | undefined = await this.db("runs").where({ id: runId }).first();
    return row && toRun(row);
  }

  /** Newest first. */
  async listRuns(query: { date?: string; beforeId?: bigint; limit: number }): Promise<Run[]> {
    const q = this.db("runs").orderBy("id", "desc").limit(query.limit);
    if (query.date !== undefined) q.where("settlement_date", query.date);
    if (query.beforeId !== undefined) q.where("id", "<", String(query.beforeId));
    return ((await q) as RunRow[]).map(toRun);
  }

  /** Inserts new exceptions, updates those found again with other details; returns how many it wrote. */
  async upsertExceptions(date: string, runId: bigint, found: FoundException[]): Promise<number> {
    if (found.length === 0) return 0;
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
    return written.length;
  }

  /** Open exceptions of the day that the run did not find again: they are gone (fixed elsewhere, or a new file). */
  async resolveNotFoundAgain(date: string, runId: bigint): Promise<number> {
    return this.db("exceptions")
      .where({ settlement_date: date, status: "open" })
      .whereNot("last_run_id", String(runId))
      .update({ status: "auto_fixed", resolution: `not found again by run ${runId}`, updated_at: this.db.fn.now() });
  }

  async markAutoFixed(exceptionId: bigint, resolution: string): Promise<boolean> {
    const updated = await this.db("exceptions").where({ id: exceptionId, status: "open" }).update({ status: "auto_fixed", resolution, updated_at: this.db.fn.now() });
    return updated > 0;
  }

  /** Says why an open exception could not be fixed automatically; true when that is news. */
  async noteNotFixed(exceptionId: bigint, why: string): Promise<boolean> {
    const resolution = `not fixed automatically: ${why}`;
    const updated = await this.db("exceptions").where({ id: exceptionId, status: "open" }).whereNot({ resolution }).update({ resolution, updated_at: this.db.fn.now() });
    return updated > 0;
  }

  private exceptionsQuery() {
    return this.db("exceptions as x")
      .leftJoin("adjustments as a", "a.exception_id", "x.id")
      .select("x.*", "a.transaction_id as adjustment_transaction_id", "a.operator_id", "a.reason", "a.idempotency_key", "a.adjusted_at");
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

  /** Per currency: what the day's postings settled so far, and how many there were. */
  async settledSoFar(date: string): Promise<Map<string, { totals: SettlementTotals; postings: number }>> {
    const rows: { currency: string; totals: Record<string, string> }[] = await this.db("settlement_postings").where({ settlement_date: date }).select("currency", "totals");
    const settled = new Map<string, { totals: SettlementTotals; postings: number }>();
    for (const row of rows) {
      const so = settled.get(row.currency) ?? { totals: NO_SETTLEMENT, postings: 0 };
      settled.set(row.currency, { totals: addTotals(so.totals, totalsFromJson(row.totals)), postings: so.postings + 1 });
    }
    return settled;
  }

  /** True when recorded now, false when an earlier execution had recorded it. */
  async recordSettlement(date: string, currency: string, sequence: number, transactionId: string, totals: SettlementTotals, runId: bigint): Promise<boolean> {
    const inserted = await this.db("settlement_postings")
      .insert({ settlement_date: date, currency, sequence, transaction_id: transactionId, totals: JSON.stringify(totalsToJson(totals)), run_id: runId })
      .onConflict(["settlement_date", "currency", "sequence"])
      .ignore()
      .returning("sequence");
    return inserted.length > 0;
  }

  async boundaryMatches(date: string): Promise<Set<string>> {
    const rows: { transaction_id: string }[] = await this.db("boundary_matches").where({ settlement_date: date }).select("transaction_id");
    return new Set(rows.map((r) => r.transaction_id));
  }

  async saveBoundaryMatches(date: string, transactionIds: string[]): Promise<void> {
    for (let i = 0; i < transactionIds.length; i += 1000) {
      const rows = transactionIds.slice(i, i + 1000).map((transaction_id) => ({ settlement_date: date, transaction_id }));
      await this.db("boundary_matches").insert(rows).onConflict(["settlement_date", "transaction_id"]).ignore();
    }
  }

  /**
   * Records an adjustment and closes its exception, in one database transaction. Answers the exception as it is
   * after; `recorded` is false when the exception was no longer open (someone else adjusted or closed it first).
   */
  async recordAdjustment(
    exceptionId: bigint,
    adjustment: { transactionId: string; operatorId: string; reason: string; idempotencyKey: string; entries: unknown },
  ): Promise<{ recorded: boolean; exception: StoredException }> {
    const recorded = await this.db.transaction(async (trx) => {
      const closed = await trx("exceptions")
        .where({ id: exceptionId, status: "open" })
        .update({ status: "adjusted", resolution: `adjusted by ${adjustment.operatorId}: ${adjustment.reason}`, updated_at: trx.fn.now() });
      if (closed === 0) return false;
      await trx("adjustments").insert({
        exception_id: exceptionId,
        transaction_id: adjustment.transactionId,
        operator_id: adjustment.operatorId,
        reason: adjustment.reason,
        idempotency_key: adjustment.idempotencyKey,
        entries: JSON.stringify(adjustment.entries),
      });
      return true;
    });
    return { recorded, exception: (await this.getException(exceptionId))! };
  }
}
