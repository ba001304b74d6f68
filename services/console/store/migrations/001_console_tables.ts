import { insertOnlySql, type Migration } from "../../../lib/db.js";

export const consoleTables: Migration = {
  name: "001_console_tables",
  async up(db) {
    await db.raw(`
      create table operators (
        id text primary key,
        display_name text not null,
        role text not null constraint role_known check (role in ('viewer', 'finance')),
        password_salt bytea not null,
        password_hash bytea not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );

      -- The cookie carries the token; only its sha256 is stored, so a copy of this table opens no session.
      create table sessions (
        token_hash bytea primary key,
        operator_id text not null references operators (id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      );
      create index sessions_operator on sessions (operator_id);

      create table audit_log (
        id bigint generated always as identity primary key,
        operator_id text not null,
        action text not null,
        target text not null default '',
        details jsonb not null default '{}',
        at timestamptz not null default now()
      );

      ${insertOnlySql("audit_log", "audit_log_refuse_change", "the audit log is insert-only")}
    `);
  },
  async down(db) {
    await db.raw(`
      drop table audit_log;
      drop function audit_log_refuse_change();
      drop table sessions;
      drop table operators;
    `);
  },
};
