import type { Migration } from "../../../lib/db.js";

/** Payout accounts, payouts, and the outbox of their events (published by the relay, see lib/events/outbox-relay.ts). */
export const payouts: Migration = {
  name: "003_payouts",
  async up(db) {
    await db.raw(`
      create table payout_accounts (
        seller_id text primary key,
        destination text not null check (length(destination) between 1 and 255),
        updated_at timestamptz not null default now()
      );

      create table payouts (
        payout_id text primary key,
        seller_id text not null,
        currency char(3) not null,
        amount_minor bigint not null check (amount_minor > 0),
        destination text not null,
        status text not null check (status in ('PENDING', 'PAID', 'FAILED')),
        psp_payout_id text,
        failure_code text,
        failure_message text,
        -- Set on scheduled payouts: at most one per seller, currency and window.
        schedule_window bigint,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        polled_at timestamptz,
        -- Order of creation, for listing a seller's payouts.
        seq bigserial not null,
        unique (seller_id, currency, schedule_window)
      );
      create index payouts_by_seller on payouts (seller_id, seq);
      create index payouts_pending on payouts (greatest(updated_at, polled_at)) where status = 'PENDING';

      create table outbox (
        id bigserial primary key,
        event_id text not null unique,
        payout_id text not null,
        subject text not null,
        payload bytea not null,
        created_at timestamptz not null default now(),
        published_at timestamptz
      );
      create index outbox_unpublished on outbox (id) where published_at is null`);
  },
  async down(db) {
    await db.raw("drop table outbox; drop table payouts; drop table payout_accounts");
  },
};
