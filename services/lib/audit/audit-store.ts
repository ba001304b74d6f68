import { insertOnlySql, type Db, type Migration } from "../db.js";
import type { AuditEntry, AuditSink } from "../auth/audit.js";
import type { Logger } from "../log.js";
import { GroupInsert } from "../group-insert.js";
import { defaultRetryPolicy, retry } from "../retry.js";

export interface StoredAuditRecord extends AuditEntry {
  id: bigint;
  at: Date;
}

interface AuditRow {
  id: bigint;
  caller: string;
  operator: string | null;
  method: string;
  ids: Record<string, string>;
  outcome: string;
  at: Date;
}

/** Every service's own audit table, in its own schema: insert-only, enforced by the database. */
export const rpcAuditMigration: Migration = {
  name: "900_rpc_audit",
  async up(db) {
    await db.raw(`
      create table rpc_audit (
        id bigint generated always as identity primary key,
        caller text not null,
        operator text,
        method text not null,
        ids jsonb not null default '{}',
        outcome text not null,
        at timestamptz not null default now()
      );
      create index rpc_audit_method on rpc_audit (method, id);
      ${insertOnlySql("rpc_audit", "rpc_audit_refuse_change", "the audit log is insert-only")}
    `);
  },
  async down(db) {
    await db.raw("drop table rpc_audit; drop function rpc_audit_refuse_change();");
  },
};

/** Where a server records the calls it receives, and reads them back (AuditService). */
export interface AuditLog {
  record: AuditSink;
  list(opts: { method?: string; beforeId?: bigint; limit: number }): Promise<StoredAuditRecord[]>;
}

export class AuditStore implements AuditLog {
  private readonly inserts: GroupInsert<Record<string, unknown>>;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    this.inserts = new GroupInsert((rows) => this.db("rpc_audit").insert(rows));
  }

  /**
   * Records a call after it was answered, with the records of the calls answered meanwhile (one insert). A failing
   * database is retried; if it stays down the call's effect stands and the record is logged at error level instead
   * (an effect is never undone for want of its record).
   */
  readonly record = async (entry: AuditEntry): Promise<void> => {
    const row = {
      caller: entry.caller.identity,
      operator: entry.caller.operator ?? null,
      method: entry.method,
      ids: entry.ids,
      outcome: entry.outcome,
    };
    await retry(
      () => this.inserts.insert(row),
      () => true,
      { ...defaultRetryPolicy, attempts: 3 },
    ).catch((err: unknown) =>
      this.log.error("audit record not written", { ...row, ids: JSON.stringify(row.ids), error: String(err) }),
    );
  };

  async list(opts: { method?: string; beforeId?: bigint; limit: number }): Promise<StoredAuditRecord[]> {
    const rows: AuditRow[] = await this.db("rpc_audit")
      .modify((q) => {
        if (opts.method) q.where("method", opts.method);
        if (opts.beforeId !== undefined) q.where("id", "<", opts.beforeId.toString());
      })
      .orderBy("id", "desc")
      .limit(opts.limit);
    return rows.map((r) => ({
      id: r.id,
      caller: {
        identity: r.caller as AuditEntry["caller"]["identity"],
        ...(r.operator ? { operator: r.operator } : {}),
      },
      method: r.method,
      ids: r.ids,
      outcome: r.outcome,
      at: r.at,
    }));
  }
}
