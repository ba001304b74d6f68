import { setTimeout as sleep } from "node:timers/promises";
import type { Db, Migration } from "./db.js";
import type { Logger } from "./log.js";
import { startPeriodic } from "./periodic.js";

const DAY_MS = 24 * 3_600_000;

/** Rows of `table` whose `column` lies more than `keepMs` in the past may go (a null `column`: never). */
export interface RetainedTable {
  table: string;
  column: string;
  keepMs: number;
}

export interface SweepSettings {
  /** Rows per DELETE: short statements, short row locks, small WAL bursts. */
  batchSize: number;
  /** Between two batches, so that the sweep never takes the database from the service's own work. */
  pauseMs: number;
}

/** How often each service sweeps its tables. */
export const RETENTION_SWEEP_INTERVAL_MS = 60_000;

export const defaultSweepSettings: SweepSettings = { batchSize: 1_000, pauseMs: 50 };

/** A window a retention must outlive, e.g. the stream's 14 days for the inbox. */
export interface Window {
  what: string;
  ms: number;
}

function duration(ms: number): string {
  const [unit, name] = ms >= DAY_MS ? [DAY_MS, "days"] : ms >= 3_600_000 ? [3_600_000, "hours"] : [60_000, "minutes"];
  return `${+(ms / unit).toFixed(2)} ${name}`;
}

/**
 * A retention of `days` read from `setting`, refused at start when it is shorter than a window its rows must
 * outlive: deleting them earlier would let a duplicate through, or break a replay.
 */
export function retentionMs(setting: string, days: number, mustOutlive: readonly Window[]): number {
  const ms = days * DAY_MS;
  for (const window of mustOutlive) {
    if (!(ms >= window.ms)) {
      throw new Error(
        `${setting}=${days} is shorter than ${window.what} (${duration(window.ms)}): the rows must outlive it; set at least ${Math.ceil(window.ms / DAY_MS)}`,
      );
    }
  }
  return ms;
}

/** Deletes up to `batchSize` rows of `retained` past their retention, skipping rows another sweeper has locked. */
async function deleteBatch(db: Db, retained: RetainedTable, batchSize: number): Promise<number> {
  // ctid = any(array(...)) is a TID scan; "ctid in (select ...)" could be planned as a join over the whole table.
  const result = await db.raw<{ rowCount: number }>(
    `delete from ?? where ctid = any(array(
       select ctid from ?? where ?? < now() - make_interval(secs => ?) limit ? for update skip locked))`,
    [retained.table, retained.table, retained.column, retained.keepMs / 1000, batchSize],
  );
  return result.rowCount;
}

/**
 * Deletes the rows of `tables` past their retention, a batch of each table in turn (a table's long backlog never
 * holds back the others), until none is left or `signal` is aborted; how many it deleted of each. Between batches
 * it pauses at least as long as the batch took: a backlog takes at most half of one connection.
 */
export async function sweepTables(
  db: Db,
  tables: readonly RetainedTable[],
  settings: SweepSettings,
  signal?: AbortSignal,
): Promise<number[]> {
  const deleted = tables.map(() => 0);
  let pending = tables.map((_, i) => i);
  while (pending.length > 0) {
    const started = performance.now();
    const full: number[] = [];
    for (const i of pending) {
      const count = await deleteBatch(db, tables[i]!, settings.batchSize);
      deleted[i]! += count;
      if (count === settings.batchSize) full.push(i);
    }
    pending = full;
    if (pending.length === 0 || signal?.aborted) break;
    await sleep(Math.max(settings.pauseMs, performance.now() - started), undefined, { signal }).catch(() => {});
  }
  return deleted;
}

/** Sweeps every table in `tables` now and every `intervalMs` after, until the returned function is called. */
export function startRetentionSweeper(
  db: Db,
  tables: readonly RetainedTable[],
  intervalMs: number,
  log: Logger,
  settings = defaultSweepSettings,
): () => Promise<void> {
  return startPeriodic(
    "retention sweep",
    intervalMs,
    async (signal) => {
      const deleted = await sweepTables(db, tables, settings, signal);
      for (const [i, count] of deleted.entries())
        if (count > 0) log.info("old rows deleted", { table: tables[i]!.table, deleted: count });
    },
    log,
  );
}

/** The migration adding the index each sweep reads its old rows by. */
export function retentionIndexes(name: string, tables: readonly Pick<RetainedTable, "table" | "column">[]): Migration {
  const index = (t: Pick<RetainedTable, "table" | "column">) => `${t.table}_${t.column}_retention`;
  return {
    name,
    async up(db) {
      for (const t of tables) await db.raw("create index ?? on ?? (??)", [index(t), t.table, t.column]);
    },
    async down(db) {
      for (const t of tables) await db.raw("drop index ??", [index(t)]);
    },
  };
}
