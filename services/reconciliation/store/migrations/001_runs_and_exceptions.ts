import { insertOnlySql, type Migration } from "../../../lib/db.js";

/**
 * Runs (one per settlement day and file), the exceptions they find (one per day and key, whichever run found it),
 * what was settled, and finance's adjustments, which can never change once made.
 */
export const runsAndExceptions: Migration = {
  name: "001_runs_and_exceptions",
  async up(db) {
    await db.raw(`
      create table runs (
        id bigserial primary key,
        settlement_date text not null check (settlement_date ~ '^\\d{4}-\\d{2}-\\d{2}$'),
        checksum text not null,
        source text not null,
        status text not null check (status in ('running', 'finished', 'failed')),
        lines bigint not null default 0,
        report jsonb not null default '[]',
        closing_balances jsonb not null default '[]',
        error text not null default '',
        executions integer not null default 0,
        started_at timestamptz not null default now(),
        -- When the current (or last) execution began: a 'running' run older than a while is taken over.
        claimed_at timestamptz not null default now(),
        finished_at timestamptz,
        unique (settlement_date, checksum)
      );

      create table exceptions (
        id bigserial primary key,
        settlement_date text not null,
        -- Identifies the difference within its day: class, line type and references (or line number, or transaction).
        key text not null,
        class text not null check (class in ('missing_in_ledger', 'missing_in_file', 'amount_mismatch', 'currency_mismatch', 'duplicate_line', 'malformed_line')),
        first_run_id bigint not null references runs (id),
        last_run_id bigint not null references runs (id),
        line_number bigint,
        psp_reference text not null,
        our_reference text not null,
        line_type text not null,
        file_amount_minor bigint,
        file_currency text,
        -- The PSP's fee on the line, for the standard correction.
        file_fee_minor bigint,
        ledger_amount_minor bigint,
        ledger_currency text,
        ledger_transaction_id text not null,
        detail text not null,
        status text not null default 'open' check (status in ('open', 'auto_fixed', 'adjusted')),
        resolution text not null default '',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (settlement_date, key)
      );
      create index exceptions_last_run on exceptions (last_run_id, id);
      create index exceptions_open_by_day on exceptions (settlement_date, id) where status = 'open';

      -- What each run posted to the ledger, per day and currency: the next run of the day posts the difference.
      create table settlement_postings (
        settlement_date text not null,
        currency text not null,
        sequence integer not null,
        transaction_id text not null unique,
        totals jsonb not null,
        run_id bigint not null references runs (id),
        posted_at timestamptz not null default now(),
        primary key (settlement_date, currency, sequence)
      );

      -- Ledger transactions matched by lines near the day's end: the next day's run does not count them missing.
      create table boundary_matches (
        settlement_date text not null,
        transaction_id text not null,
        primary key (settlement_date, transaction_id)
      );

      create table adjustments (
        exception_id bigint primary key references exceptions (id),
        transaction_id text not null unique,
        operator_id text not null,
        reason text not null,
        idempotency_key text not null,
        entries jsonb not null,
        adjusted_at timestamptz not null default now()
      );

      ${insertOnlySql("adjustments", "refuse_change", "adjustments are an audit trail")}
    `);
  },
  async down(db) {
    await db.raw(`
      drop table adjustments;
      drop function refuse_change();
      drop table boundary_matches;
      drop table settlement_postings;
      drop table exceptions;
      drop table runs;
    `);
  },
};
