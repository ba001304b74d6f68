import type { Migration } from "../../../lib/db.js";

/**
 * Posting in one call, hence one round trip: the transaction is inserted unless its id is taken, with its entries
 * (which the entries trigger checks). Returns 'posted', or 'exists' / 'conflict' when the id was already
 * posted with the same / a different fingerprint, with the time it was posted. A concurrent posting of the same id
 * waits on the primary key, then sees the committed row.
 */
export const postTransactionFunction: Migration = {
  name: "002_post_transaction",
  async up(db) {
    await db.raw(`
      create function post_transaction(
        transaction_id text, description text, fingerprint text,
        account_codes text[], currencies text[], directions text[], amounts_minor bigint[],
        out outcome text, out posted_at timestamptz)
      language plpgsql as $$
      #variable_conflict use_variable
      begin
        -- One statement for both inserts: the entries are produced from the inserted transaction row, so none are
        -- written when the id is taken (and the entries trigger, being volatile, sees that row).
        with inserted as (
          insert into transactions as t (id, description, fingerprint)
            values (transaction_id, description, fingerprint)
            on conflict (id) do nothing
            returning t.posted_at
        ), posted_entries as (
          insert into entries (transaction_id, position, account_code, currency, direction, amount_minor)
            select transaction_id, e.ord - 1, e.code, e.currency, e.direction, e.amount
            from inserted, unnest(account_codes, currencies, directions, amounts_minor) with ordinality as e (code, currency, direction, amount, ord)
        )
        select inserted.posted_at into posted_at from inserted;
        if found then
          outcome := 'posted';
          return;
        end if;
        select case when t.fingerprint = fingerprint then 'exists' else 'conflict' end, t.posted_at
          into outcome, posted_at
          from transactions t where t.id = transaction_id;
      end $$;
    `);
  },
  async down(db) {
    await db.raw("drop function post_transaction(text, text, text, text[], text[], text[], bigint[])");
  },
};
