import type { Knex } from "knex";
import type { Migration } from "../../../lib/db.js";
import { present } from "../../../lib/invariant.js";

/** The schema being migrated, quoted for SQL. */
export async function currentSchema(db: Knex): Promise<string> {
  const { rows } = await db.raw<{ rows: { schema: string }[] }>("select quote_ident(current_schema()) as schema");
  return present(rows[0], "a select without a from answers one row").schema;
}

/**
 * The per-row check of an entry (one lookup of its transaction and account), as 001 created it; 008 moves the
 * lookup into a statement-level trigger and puts this back when it is rolled back.
 */
export const admitEntryFunction = (schema: string) => `
      -- An entry belongs to a transaction inserted by the same database transaction (so entries cannot be added to
      -- a posted transaction, and the balance check at commit sees them all), on an account of its currency.
      create or replace function admit_entry() returns trigger language plpgsql as $$
      declare
        account_currency text;
      begin
        new.xid := pg_current_xact_id();
        if exists (select 1 from ${schema}.transactions t join ${schema}.accounts a on a.code = new.account_code and a.currency = new.currency
                   where t.id = new.transaction_id and t.xid = new.xid) then
          return new;
        end if;
        if not exists (select 1 from ${schema}.transactions t where t.id = new.transaction_id and t.xid = new.xid) then
          raise exception 'entry % of transaction "%": the transaction must be inserted by the same database transaction; posted transactions are immutable',
            new.position, new.transaction_id using errcode = 'LG003';
        end if;
        select a.currency into account_currency from ${schema}.accounts a where a.code = new.account_code;
        raise exception '%', case when account_currency is null
            then format('entry %s of transaction "%s": account "%s" does not exist', new.position, new.transaction_id, new.account_code)
            else format('entry %s of transaction "%s": account "%s" holds %s, not %s', new.position, new.transaction_id, new.account_code, account_currency, new.currency)
          end
          using errcode = case when account_currency is null then 'LG001' else 'LG002' end,
                detail = json_build_object('entry', new.position, 'account_currency', account_currency)::text;
      end $$;
`;

/**
 * Accounts, transactions and entries, with the rules of double entry enforced by the database itself, so that no
 * code path (nor a person with psql) can post an unbalanced or partial transaction or rewrite a posted one.
 *
 * Entries are checked by one trigger lookup rather than by foreign keys: a foreign key costs a query per entry and
 * per key, and takes a KEY SHARE lock on the referenced row, so every posting would lock (and write a multixact
 * into) the psp_receivable and platform_fee_revenue rows. Plain reads are enough: accounts and transactions are
 * never updated or deleted (the triggers at the end refuse it).
 */
export const journal: Migration = {
  name: "001_journal",
  async up(db) {
    // The triggers fire for any writer, whatever its search_path: they name their tables with the schema. (A
    // "set search_path" clause on the functions would do it too, but costs every call a configuration change.)
    const schema = await currentSchema(db);
    await db.raw(`
      create table accounts (
        code text primary key,
        type text not null check (type in ('ASSET', 'LIABILITY', 'REVENUE', 'EXPENSE')),
        currency text not null check (currency ~ '^[A-Z]{3}$'),
        opened_at timestamptz not null default now(),
        constraint accounts_code_ends_with_currency check (right(code, 4) = ':' || currency)
      );

      create table transactions (
        id text primary key,
        description text not null,
        -- Hash of the content, to tell a retry from a different transaction under the same id.
        fingerprint text not null,
        -- The top-level database transaction that posted it (checked at commit).
        xid xid8 not null default pg_current_xact_id(),
        posted_at timestamptz not null default now()
      );
      -- For the checkpointer (entries by database transaction) and for listing the whole journal.
      create index transactions_xid on transactions (xid);

      create table entries (
        transaction_id text not null,
        position integer not null check (position >= 0),
        account_code text not null,
        currency text not null,
        direction text not null check (direction in ('DEBIT', 'CREDIT')),
        amount_minor bigint not null check (amount_minor > 0),
        -- The top-level database transaction that wrote it, set by the trigger below: balances and pages rely on it.
        xid xid8 not null,
        primary key (transaction_id, position)
      );
      create index entries_account_xid on entries (account_code, xid);

      ${admitEntryFunction(schema)}
      create trigger entries_admit before insert on entries
        for each row execute function admit_entry();

      create function check_transaction() returns trigger language plpgsql as $$
      declare
        entry_count bigint;
        unbalanced text;
      begin
        if new.xid <> pg_current_xact_id() then
          raise exception 'transaction "%": xid must be the database transaction that inserts it', new.id using errcode = 'check_violation';
        end if;
        select coalesce(sum(entries), 0)::bigint,
               string_agg(format('%s: debits %s, credits %s', currency, debits, credits), '; ' order by currency) filter (where debits <> credits)
          into entry_count, unbalanced
          from (select currency, count(*) as entries,
                       coalesce(sum(amount_minor) filter (where direction = 'DEBIT'), 0) as debits,
                       coalesce(sum(amount_minor) filter (where direction = 'CREDIT'), 0) as credits
                from ${schema}.entries where transaction_id = new.id group by currency) as per_currency;
        if entry_count < 2 then
          raise exception 'transaction "%" has % entries; a transaction needs at least 2', new.id, entry_count using errcode = 'check_violation';
        end if;
        if unbalanced is not null then
          raise exception 'transaction "%" does not balance (minor units) in %', new.id, unbalanced using errcode = 'check_violation';
        end if;
        return null;
      end $$;
      -- At commit, once all the transaction's entries are in: at least 2, balanced in every currency.
      create constraint trigger transactions_check after insert on transactions
        deferrable initially deferred for each row execute function check_transaction();

      create function refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception '% on %.% is not allowed: %', tg_op, tg_table_schema, tg_table_name, tg_argv[0]
          using errcode = 'restrict_violation';
      end $$;
      create trigger transactions_immutable before update or delete on transactions
        for each row execute function refuse_change('posted transactions are immutable; post a correcting transaction');
      create trigger transactions_no_truncate before truncate on transactions
        for each statement execute function refuse_change('posted transactions are immutable; post a correcting transaction');
      create trigger entries_immutable before update or delete on entries
        for each row execute function refuse_change('posted entries are immutable; post a correcting transaction');
      create trigger entries_no_truncate before truncate on entries
        for each statement execute function refuse_change('posted entries are immutable; post a correcting transaction');
      create trigger accounts_permanent before update or delete on accounts
        for each row execute function refuse_change('an account keeps its type and currency for ever');
      create trigger accounts_no_truncate before truncate on accounts
        for each statement execute function refuse_change('an account keeps its type and currency for ever');
    `);
  },
  async down(db) {
    await db.raw(`
      drop table entries;
      drop table transactions;
      drop table accounts;
      drop function refuse_change();
      drop function check_transaction();
      drop function admit_entry();
    `);
  },
};
