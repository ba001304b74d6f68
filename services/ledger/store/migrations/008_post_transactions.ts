import type { Migration } from "../../../lib/db.js";
import { admitEntryFunction, currentSchema } from "./001_journal.js";

/**
 * Group commit: post_transactions posts up to a batch of transactions in one call, and the entries' admission check
 * runs once per statement instead of once per entry row.
 *
 * post_transactions(transaction_ids[], descriptions[], fingerprints[], entry_items[], account_codes[], currencies[],
 * directions[], amounts_minor[]): the transactions side by side in the first three arrays, their entries in the
 * last five (entry_items[k] is the 1-based place of entry k's transaction; an entry's position is its rank among its
 * transaction's entries). It answers a row per transaction, in order, as if each had been posted by
 * post_transaction one after another, except that a refusal is that transaction's answer and never fails the
 * statement: 'posted', 'exists' / 'conflict' (the id was taken, by an earlier call or an earlier item, with the same /
 * another fingerprint), or a refusal checked before anything is written: 'unknown_account' / 'currency_mismatch'
 * (refused_entry, account_currency), 'too_few_entries', 'unbalanced' (per currency, as the commit check words it).
 * An id taken is answered by fingerprint before any check, as post_transaction does. Transactions are inserted in
 * id order, so that two batches sharing ids wait on each other rather than deadlock.
 *
 * The rules stay the database's for any writer. entries_admit (per row) now only stamps the writing database
 * transaction's xid; entries_admitted, an AFTER ... FOR EACH STATEMENT trigger over the statement's new rows,
 * checks them all at once, with one lookup per transaction and per account the statement names (their transaction
 * inserted by the same database transaction, their account existing in their currency), and raises the first
 * refusal by (transaction, position), a missing transaction before an account, with the SQLSTATE and wording of
 * 001's per-row check. Nothing is stricter across statements: an entry still needs its transaction inserted by the
 * same database transaction by the end of its own statement (within one statement the order of its rows no longer
 * matters), and the balance is still checked at commit over every entry of the transaction, whichever statements
 * wrote them (009 adds one rule across statements: see there). Measured (one connection, 100 pay-ins of 3 entries in two multi-row INSERTs, backend CPU from /proc,
 * three rounds on a loaded machine): 108-120 us of server CPU per posting with the statement-level check, 168-268
 * with 001's per-row one.
 */
export const postTransactions: Migration = {
  name: "008_post_transactions",
  async up(db) {
    const schema = await currentSchema(db);
    await db.raw(`
      create function post_transactions(
        transaction_ids text[], descriptions text[], fingerprints text[],
        entry_items integer[], account_codes text[], currencies text[], directions text[], amounts_minor bigint[])
      returns table (outcome text, posted_at timestamptz, refused_entry integer, account_currency text, unbalanced text)
      language plpgsql
      -- The joins below are between the call's own arrays, hundreds of rows each, which the planner cannot count
      -- once they pass through a CTE (it guesses 1 row and rescans one side per row of the other: measured 12 ms of a
      -- 22 ms batch of 100). Tables are only read by primary key, in scalar subqueries, which this does not affect.
      set enable_nestloop = off
      as $$
      #variable_conflict use_column
      declare
        posted_items integer[];
        refusals text[];
        refused_entries integer[];
        account_currencies text[];
        unbalanced_currencies text[];
      begin
        with named_accounts as (
          -- One lookup per account named: a batch of pay-ins names the same two hot accounts in every posting.
          select code, (select a.currency from accounts a where a.code = named.code) as account_currency
          from (select distinct code from unnest(account_codes) as code) as named
        ), wanted as (
          select e.item, (row_number() over (partition by e.item order by e.ord) - 1)::integer as position,
                 e.code, e.currency, e.direction, e.amount, c.account_currency
          from unnest(entry_items, account_codes, currencies, directions, amounts_minor)
                 with ordinality as e (item, code, currency, direction, amount, ord)
          join named_accounts c using (code)
        ), per_currency as (
          select item, currency, count(*) as entries,
                 coalesce(sum(amount) filter (where direction = 'DEBIT'), 0) as debits,
                 coalesce(sum(amount) filter (where direction = 'CREDIT'), 0) as credits,
                 min(position) filter (where account_currency is distinct from currency) as refused_entry
          from wanted group by item, currency
        ), per_item as (
          select item, sum(entries)::integer as entry_count, min(refused_entry) as refused_entry,
                 string_agg(format('%s: debits %s, credits %s', currency, debits, credits), '; ' order by currency)
                   filter (where debits <> credits) as unbalanced
          from per_currency group by item
        ), checked as (
          select i.item::integer as item, i.id, i.description, i.fingerprint, p.refused_entry, p.unbalanced,
                 case when p.refused_entry is not null then
                   (select w.account_currency from wanted w where w.item = i.item and w.position = p.refused_entry) end as account_currency,
                 case when p.refused_entry is not null then 'refused_account'
                      when coalesce(p.entry_count, 0) < 2 then 'too_few_entries'
                      when p.unbalanced is not null then 'unbalanced' end as refusal
          from unnest(transaction_ids, descriptions, fingerprints) with ordinality as i (id, description, fingerprint, item)
          left join per_item p on p.item = i.item
        ), chosen as (
          -- Of the items that share an id, the first one not refused is the one posted.
          select distinct on (id) item, id, description, fingerprint from checked where refusal is null order by id, item
        ), inserted as (
          insert into transactions as t (id, description, fingerprint)
            select id, description, fingerprint from chosen order by id
            on conflict (id) do nothing
            returning t.id
        ), inserted_items as (
          select c.item, c.id from chosen c join inserted using (id)
        ), posted_entries as (
          insert into entries (transaction_id, position, account_code, currency, direction, amount_minor)
            select p.id, w.position, w.code, w.currency, w.direction, w.amount
            from inserted_items p join wanted w using (item)
        )
        select (select array_agg(item) from inserted_items),
               array_agg(case when refusal <> 'refused_account' then refusal
                              when account_currency is null then 'unknown_account' else 'currency_mismatch' end order by item),
               array_agg(refused_entry order by item), array_agg(account_currency order by item),
               array_agg(unbalanced order by item)
          into posted_items, refusals, refused_entries, account_currencies, unbalanced_currencies
          from checked;

        -- A new statement, hence a new snapshot: it sees the rows just inserted, and those a concurrent batch
        -- committed while this one waited on their ids.
        return query
          select case when p.item = i.item then 'posted'
                      when i.refusal is not null and (p.item > i.item or p.item is null and t.fingerprint is null) then i.refusal
                      when t.fingerprint = i.fingerprint then 'exists'
                      when t.fingerprint is not null then 'conflict' end,
                 case when p.item <= i.item or p.item is null then t.posted_at end,
                 i.refused_entry, i.account_currency, i.unbalanced
          from unnest(transaction_ids, fingerprints, refusals, refused_entries, account_currencies, unbalanced_currencies)
                 with ordinality as i (id, fingerprint, refusal, refused_entry, account_currency, unbalanced, item)
          left join (select transaction_ids[posted] as id, posted as item from unnest(posted_items) as posted) p on p.id = i.id
          -- What this call inserted was stamped now(); only the other ids are read back.
          cross join lateral (
            select case when p.item is null or p.item <> i.item then (select t.fingerprint from transactions t where t.id = i.id) end as fingerprint,
                   case when p.item = i.item then now() else (select t.posted_at from transactions t where t.id = i.id) end as posted_at) as t
          order by i.item;
      end $$;

      create or replace function admit_entry() returns trigger language plpgsql as $$
      begin
        new.xid := pg_current_xact_id();
        return new;
      end $$;

      create function admit_entries() returns trigger language plpgsql as $$
      declare
        refused record;
      begin
        -- One lookup by primary key per transaction and per account the statement names (scalar subqueries, so that
        -- no plan hashes the whole table), then the first refused entry by (transaction, position): entries without
        -- their transaction first, then those on an account missing or of another currency.
        select e.transaction_id, e.position into refused
          from (select transaction_id, xid from added group by transaction_id, xid
                having not coalesce((select t.xid = added.xid from ${schema}.transactions t where t.id = added.transaction_id), false)) as orphan
          join added e using (transaction_id, xid)
          order by e.transaction_id, e.position
          limit 1;
        if found then
          raise exception 'entry % of transaction "%": the transaction must be inserted by the same database transaction; posted transactions are immutable',
            refused.position, refused.transaction_id using errcode = 'LG003';
        end if;
        select e.transaction_id, e.position, e.account_code, e.currency, wrong.account_currency into refused
          from (select account_code, currency, account_currency
                from (select account_code, currency, (select a.currency from ${schema}.accounts a where a.code = named.account_code) as account_currency
                      from (select distinct account_code, currency from added) as named) as looked_up
                where account_currency is distinct from currency) as wrong
          join added e using (account_code, currency)
          order by e.transaction_id, e.position
          limit 1;
        if not found then
          return null;
        end if;
        raise exception '%', case when refused.account_currency is null
            then format('entry %s of transaction "%s": account "%s" does not exist', refused.position, refused.transaction_id, refused.account_code)
            else format('entry %s of transaction "%s": account "%s" holds %s, not %s', refused.position, refused.transaction_id, refused.account_code, refused.account_currency, refused.currency)
          end
          using errcode = case when refused.account_currency is null then 'LG001' else 'LG002' end,
                detail = json_build_object('entry', refused.position, 'account_currency', refused.account_currency)::text;
      end $$;
      create trigger entries_admitted after insert on entries referencing new table as added
        for each statement execute function admit_entries();
    `);
  },
  async down(db) {
    await db.raw(`
      drop trigger entries_admitted on entries;
      drop function admit_entries();
      drop function post_transactions(text[], text[], text[], integer[], text[], text[], text[], bigint[]);
    `);
    await db.raw(admitEntryFunction(await currentSchema(db)));
  },
};
