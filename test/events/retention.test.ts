import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../services/lib/db.js";
import { inboxRetention, outboxRetention } from "../../services/lib/events/event-retention.js";
import { firstDelivery } from "../../services/lib/events/inbox.js";
import { sweepTables, type RetainedTable } from "../../services/lib/retention.js";
import { openServiceDb } from "../../services/lib/service-db.js";
import { paymentSchema } from "../../services/payment/store/migrations/index.js";
import { webhookLogRetention } from "../../services/payment/store/timeline-store.js";
import { walletSchema } from "../../services/wallet/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { testTls } from "../support/tls.js";
import { startLedgerService } from "../../services/ledger/service.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";

// As the services connect: their own roles, so a DELETE they were not granted would fail here.
let database: TestDatabase;
let payment: Db;
let wallet: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  payment = await openServiceDb({ databaseUrl: database.url }, paymentSchema);
  wallet = await openServiceDb({ databaseUrl: database.url }, walletSchema);
});
afterAll(async () => {
  await Promise.all([payment?.destroy(), wallet?.destroy()]);
  await database?.drop();
});

const settings = { batchSize: 100, pauseMs: 1 };
const sweepTable = async (db: Db, retained: RetainedTable, signal?: AbortSignal) =>
  (await sweepTables(db, [retained], settings, signal))[0]!;
const DAY_S = 86_400;

/** `count` outbox rows (the wallet's shape), created `createdDaysAgo` and published `publishedDaysAgo` (null: not yet). */
async function seedOutbox(
  db: Db,
  tag: string,
  count: number,
  createdDaysAgo: number,
  publishedDaysAgo: number | null,
): Promise<void> {
  const ago = (days: number) => `now() - make_interval(secs => ${days * DAY_S})`;
  await db.raw(
    `insert into outbox (event_id, payout_id, seller_id, subject, payload, created_at, published_at)
     select '${tag}-' || i, 'po_' || i, 'seller-' || i, 'payments.payout.paid', '\\x00', ${ago(createdDaysAgo)}, ${publishedDaysAgo === null ? "null" : ago(publishedDaysAgo)}
     from generate_series(1, ${count}) i`,
  );
}

const countWhere = async (db: Db, table: string, like: string) =>
  Number((await db(table).where("event_id", "like", like).count({ n: "*" }))[0]!.n);

describe("old rows go, in batches; newer and unpublished ones stay", () => {
  it("the outbox loses its published rows past retention only, never an unpublished one however old", async () => {
    await seedOutbox(wallet, "old", 250, 9, 8);
    await seedOutbox(wallet, "recent", 30, 2, 2);
    await seedOutbox(wallet, "stuck", 20, 60, null);
    expect(await sweepTable(wallet, outboxRetention(7))).toBe(250);
    expect([
      await countWhere(wallet, "outbox", "old-%"),
      await countWhere(wallet, "outbox", "recent-%"),
      await countWhere(wallet, "outbox", "stuck-%"),
    ]).toEqual([0, 30, 20]);
    expect(await sweepTable(wallet, outboxRetention(7))).toBe(0);
  });

  it("one statement deletes at most a batch", async () => {
    await seedOutbox(wallet, "batch", 250, 9, 8);
    const stopAfterOne = new AbortController();
    stopAfterOne.abort();
    expect(await sweepTable(wallet, outboxRetention(7), stopAfterOne.signal)).toBe(100);
    expect(await sweepTable(wallet, outboxRetention(7))).toBe(150);
  });

  it("tables are swept a batch each in turn: one table's backlog holds back no other", async () => {
    await seedOutbox(wallet, "turn", 250, 9, 8);
    await wallet.raw(
      "insert into inbox (event_id, received_at) select 'turn-' || i, now() - interval '40 days' from generate_series(1, 50) i",
    );
    const stopAfterOne = new AbortController();
    stopAfterOne.abort();
    expect(await sweepTables(wallet, [outboxRetention(7), inboxRetention(30)], settings, stopAfterOne.signal)).toEqual([
      100, 50,
    ]);
    expect(await sweepTables(wallet, [outboxRetention(7), inboxRetention(30)], settings)).toEqual([150, 0]);
  });

  it("the payment service's webhook log goes after its retention (expired idempotency keys: test/e2e/idempotency.test.ts)", async () => {
    const webhook = (id: string, daysAgo: number) => ({
      event_id: id,
      type: "payment.succeeded",
      psp_payment_id: "pi_1",
      outcome: "applied",
      received_at: new Date(Date.now() - daysAgo * DAY_S * 1000),
    });
    await payment("webhook_deliveries").insert([webhook("evt_old", 31), webhook("evt_new", 29)]);
    expect(await sweepTable(payment, webhookLogRetention(30))).toBe(1);
    expect((await payment("webhook_deliveries").pluck("event_id")).sort()).toEqual(["evt_new"]);
  });

  it("two sweepers at once split the work without failing", async () => {
    await seedOutbox(wallet, "both", 3_000, 9, 8);
    const sweeps = await Promise.all([sweepTable(wallet, outboxRetention(7)), sweepTable(wallet, outboxRetention(7))]);
    expect(sweeps[0] + sweeps[1]).toBe(3_000);
    expect(await countWhere(wallet, "outbox", "both-%")).toBe(0);
  });
});

describe("the inbox", () => {
  const inbox: RetainedTable = inboxRetention(30);

  it("still skips an event applied within its retention, and forgets one applied before it", async () => {
    await wallet("inbox").insert({ event_id: "evt_forgotten", received_at: new Date(Date.now() - 31 * DAY_S * 1000) });
    await wallet("inbox").insert({ event_id: "evt_kept", received_at: new Date(Date.now() - 29 * DAY_S * 1000) });
    expect(await wallet.transaction((trx) => firstDelivery(trx, "evt_now"))).toBe(true);
    expect(await sweepTable(wallet, inbox)).toBe(1);
    expect(await wallet.transaction((trx) => firstDelivery(trx, "evt_kept"))).toBe(false);
    expect(await wallet.transaction((trx) => firstDelivery(trx, "evt_now"))).toBe(false);
    expect(await wallet("inbox").where({ event_id: "evt_forgotten" }).first()).toBeUndefined();
  });
});

describe("a retention shorter than the window its rows must outlive is refused", () => {
  it("names the setting, the window and the least value", () => {
    expect(() => outboxRetention(0)).toThrow(
      "OUTBOX_RETENTION_DAYS=0 is shorter than JetStream's duplicate window (2 minutes): the rows must outlive it; set at least 1",
    );
    expect(() => outboxRetention(1, [{ what: "IDEMPOTENCY_KEY_TTL_SECONDS", ms: 2 * DAY_S * 1000 }])).toThrow(
      "OUTBOX_RETENTION_DAYS=1 is shorter than IDEMPOTENCY_KEY_TTL_SECONDS (2 days)",
    );
    expect(() => inboxRetention(14)).toThrow(
      "INBOX_RETENTION_DAYS=14 is shorter than the event stream's retention plus a day (15 days): the rows must outlive it; set at least 15",
    );
    expect(() => webhookLogRetention(2)).toThrow(
      "WEBHOOK_LOG_RETENTION_DAYS=2 is shorter than the PSP's webhook retries (3 days)",
    );
    expect(inboxRetention(15).keepMs).toBe(15 * DAY_S * 1000);
  });

  it("a service given one does not start", async () => {
    const config = {
      databaseUrl: database.url,
      tls: testTls("ledger"),
      pageTokenSecret: randomPageTokenSecret(),
      retention: { inboxDays: 7 },
    };
    await expect(startLedgerService(config)).rejects.toThrow(
      "INBOX_RETENTION_DAYS=7 is shorter than the event stream's retention plus a day",
    );
  });
});
