import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountType, CheckInvariantsResponseSchema } from "../../gen/ledger/v1/ledger_pb.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { CHECKPOINTER_LOCK_KEY } from "../../services/ledger/store/migrations/003_checkpoints.js";
import { openAccounts, payIn, startLedgerUnderTest, type LedgerUnderTest } from "./ledger-test-service.js";

const SELLERS = Array.from({ length: 10 }, (_, i) => `seller-${i}`);
const POSTERS = 20;
const RUN_MS = 2_000;

let ledger: LedgerUnderTest;

beforeAll(async () => {
  // The checkpointer folds entries every 10 ms while the postings go on.
  ledger = await startLedgerUnderTest({ checkpointIntervalMs: 10 });
  await openAccounts(ledger, {
    "psp_receivable:USD": AccountType.ASSET,
    "platform_fee_revenue:USD": AccountType.REVENUE,
    ...Object.fromEntries(SELLERS.map((s) => [`seller_payable:${s}:USD`, AccountType.LIABILITY])),
  });
});

afterAll(async () => {
  await ledger?.close();
});

const balance = async (accountCode: string) => (await ledger.client.getBalance({ accountCode })).balance!.amountMinor;

describe("concurrent postings", () => {
  it("of one transaction id post it once", async () => {
    const request = payIn("sale:race", "seller-0", 1_000n, 100n);
    const answers = await Promise.all(Array.from({ length: 20 }, () => ledger.client.postTransaction(request)));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await ledger.db("transactions").where({ id: "sale:race" }).count("* as n")).toEqual([{ n: 1n }]);
    expect(await ledger.db("entries").where({ transaction_id: "sale:race" }).count("* as n")).toEqual([{ n: 3n }]);

    const variants = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        ledger.client.postTransaction(payIn("sale:race-2", "seller-1", 1_000n, BigInt(i + 1))),
      ),
    );
    expect(variants.filter((v) => v.status === "fulfilled")).toHaveLength(1);
    for (const v of variants.filter((v) => v.status === "rejected"))
      expect(ConnectError.from(v.reason).code).toBe(Code.AlreadyExists);
  });

  it(`from ${POSTERS} posters while checkpoints advance leave exact balances, stable pages and clean books`, async () => {
    const expected = {
      receivable: await balance("psp_receivable:USD"),
      fees: await balance("platform_fee_revenue:USD"),
    };
    const payables = new Map<string, bigint>();
    for (const s of SELLERS) payables.set(s, await balance(`seller_payable:${s}:USD`));

    const deadline = Date.now() + RUN_MS;
    let posted = 0;
    const poster = async (p: number) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const sellerId = SELLERS[(p + n) % SELLERS.length]!;
        const amount = BigInt(100 + ((p * 7919 + n * 104_729) % 100_000));
        const fee = amount / 40n;
        await ledger.client.postTransaction(payIn(`run-${p}-${n}`, sellerId, amount, fee));
        expected.receivable += amount;
        expected.fees += fee;
        payables.set(sellerId, payables.get(sellerId)! + amount - fee);
        posted++;
      }
    };
    // Postings only add to psp_receivable: a reader must never see it go down, checkpoint or not.
    const reads: bigint[] = [];
    const reader = async () => {
      while (Date.now() < deadline) reads.push(await balance("psp_receivable:USD"));
    };
    // Full passes over the journal, page by page, while entries keep committing.
    const passes: string[][] = [];
    const pager = async () => {
      while (Date.now() < deadline) {
        const keys: string[] = [];
        let pageToken = "";
        do {
          const page = await ledger.client.listEntries({ pageSize: 150, pageToken });
          keys.push(...page.entries.map((e) => `${e.transactionId}|${e.entry!.accountCode}`));
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        passes.push(keys);
      }
    };
    await Promise.all([...Array.from({ length: POSTERS }, (_, p) => poster(p)), reader(), pager()]);

    expect(posted).toBeGreaterThan(POSTERS);
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.every((r, i) => i === 0 || r >= reads[i - 1]!)).toBe(true);
    const folded = await ledger
      .db("account_checkpoints")
      .where({ account_code: "psp_receivable:USD" })
      .first("debits_minor");
    expect(folded?.debits_minor).toBeGreaterThan(0n);

    expect(await balance("psp_receivable:USD")).toBe(expected.receivable);
    expect(await balance("platform_fee_revenue:USD")).toBe(expected.fees);
    for (const s of SELLERS) expect(await balance(`seller_payable:${s}:USD`)).toBe(payables.get(s));

    // Each pass is a prefix of the final order: no entry skipped, repeated, or slipped in before a cursor.
    const order: string[] = (
      await ledger
        .db("entries as e")
        .join("transactions as t", "t.id", "e.transaction_id")
        .orderBy(["t.xid", "e.transaction_id", "e.position"])
        .select("e.transaction_id", "e.account_code")
    ).map((r: { transaction_id: string; account_code: string }) => `${r.transaction_id}|${r.account_code}`);
    expect(passes.length).toBeGreaterThan(0);
    for (const keys of passes) expect(keys).toEqual(order.slice(0, keys.length));

    expect(await ledger.client.checkInvariants({})).toEqual(
      create(CheckInvariantsResponseSchema, {
        notes: ["wallet balances were not compared with the seller_payable accounts: no wallet service is configured"],
      }),
    );
  });
});

describe("balances", () => {
  it("are the same with and without checkpoints", async () => {
    const quiet = await startLedgerUnderTest();
    try {
      await openAccounts(quiet, {
        "psp_receivable:EUR": AccountType.ASSET,
        "platform_fee_revenue:EUR": AccountType.REVENUE,
        "seller_payable:s:EUR": AccountType.LIABILITY,
      });
      const store = new LedgerStore(quiet.db);
      const fromEntries = async () => {
        const [row] = await quiet
          .db("entries")
          .where({ account_code: "psp_receivable:EUR" })
          .sum("amount_minor as total");
        return row?.total as string;
      };
      const balanceNow = async () =>
        (await quiet.client.getBalance({ accountCode: "psp_receivable:EUR" })).balance!.amountMinor;

      for (let i = 0; i < 5; i++) await quiet.client.postTransaction(payIn(`before-${i}`, "s", 1_000n, 10n, "EUR"));
      expect(await quiet.db("account_checkpoints").count("* as n")).toEqual([{ n: 0n }]);
      expect(await balanceNow()).toBe(5000n);

      await expect(store.advanceCheckpoints()).resolves.toBeGreaterThanOrEqual(0);
      for (let i = 0; i < 3; i++) await quiet.client.postTransaction(payIn(`after-${i}`, "s", 700n, 7n, "EUR"));
      expect(await balanceNow()).toBe(7100n);
      expect(await fromEntries()).toBe("7100");

      // Once nothing older runs on the server, every entry is folded and the balance is the checkpoint alone.
      await expect
        .poll(
          async () => {
            await store.advanceCheckpoints();
            return (
              await quiet.db("account_checkpoints").where({ account_code: "psp_receivable:EUR" }).first("debits_minor")
            )?.debits_minor;
          },
          { timeout: 15_000 },
        )
        .toBe(7100n);
      expect(await balanceNow()).toBe(7100n);
      expect((await quiet.client.checkInvariants({})).violations).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  it("are folded by one checkpointer at a time", async () => {
    const store = new LedgerStore(ledger.db);
    await ledger.db.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(?::bigint)", [CHECKPOINTER_LOCK_KEY.toString()]);
      await expect(store.advanceCheckpoints()).resolves.toBeUndefined();
    });
    // The service's own checkpointer may hold the lock at that moment too: once neither does, this one folds.
    await expect.poll(() => store.advanceCheckpoints(), { timeout: 10_000 }).not.toBeUndefined();
  });
});
