import type { Migration } from "../../../lib/db.js";
import { currentSchema } from "./001_journal.js";

/**
 * The balance check runs once per transaction, at commit; but any writer may run it earlier (SET CONSTRAINTS ...
 * IMMEDIATE) and then add entries that no check will see. So a statement that adds entries to a transaction that
 * already had some, written by an earlier statement, must leave it balanced in every currency: a transaction once
 * checked stays balanced, whatever comes after. Entries written by the statement that inserts their transaction
 * (post_transaction, post_transactions) are left to the commit check, as before; the statement's own rows are told
 * apart by their command id (cmin), so that those postings pay for one lookup per statement only.
 */
export const entriesKeepBalance: Migration = {
  name: "009_entries_keep_balance",
  async up(db) {
    const schema = await currentSchema(db);
    await db.raw(`
      create function keep_entries_balanced() returns trigger language plpgsql as $$
      declare
        one record;
        statement_cid cid;
        earlier_transaction text;
        earlier_entries bigint;
        unbalanced text;
      begin
        -- Lookups by primary key, and no joins: post_transactions runs its triggers with nested loops off.
        select transaction_id, position into one from added limit 1;
        if not found then
          return null;
        end if;
        statement_cid := (select e.cmin from ${schema}.entries e where e.transaction_id = one.transaction_id and e.position = one.position);
        for earlier_transaction in
          select transaction_id from (select distinct transaction_id from added) as touched
            where not coalesce((select t.cmin = statement_cid from ${schema}.transactions t where t.id = touched.transaction_id), false)
            order by transaction_id
        loop
          select sum(earlier),
                 string_agg(format('%s: debits %s, credits %s', currency, debits, credits), '; ' order by currency)
                   filter (where debits <> credits)
            into earlier_entries, unbalanced
            from (select e.currency, count(*) filter (where not e.cmin = statement_cid) as earlier,
                         coalesce(sum(e.amount_minor) filter (where e.direction = 'DEBIT'), 0) as debits,
                         coalesce(sum(e.amount_minor) filter (where e.direction = 'CREDIT'), 0) as credits
                  from ${schema}.entries e where e.transaction_id = earlier_transaction
                  group by e.currency) as per_currency;
          if earlier_entries > 0 and unbalanced is not null then
            raise exception 'transaction "%" does not balance (minor units) in %', earlier_transaction, unbalanced
              using errcode = 'check_violation';
          end if;
        end loop;
        return null;
      end $$;
      -- After entries_admitted (triggers fire by name): its refusals come first.
      create trigger entries_keep_balance after insert on entries referencing new table as added
        for each statement execute function keep_entries_balanced();
    `);
  },
  async down(db) {
    await db.raw(`
      drop trigger entries_keep_balance on entries;
      drop function keep_entries_balanced();
    `);
  },
};
