import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import type { RiskRules } from "../../services/risk/domain/rules.js";
import { RISK_SCHEMA, riskMigrations } from "../../services/risk/store/migrations/index.js";
import { RiskStore } from "../../services/risk/store/risk-store.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const rules: RiskRules = {
  amountLimits: { USD: { review: 5_000n, reject: 10_000n } },
  velocity: { windowSeconds: 60, maxAttempts: 3, maxSum: { USD: 6_000n } },
  sanctionedCountries: ["KP"],
};
const attempt = (buyerId: string, amountMinor: bigint) => ({
  buyerId,
  buyerCountry: "US",
  amount: { amountMinor, currency: "USD" },
});

let database: TestDatabase;
let db: Db;
let store: RiskStore;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, RISK_SCHEMA);
  await migrateUp(db, RISK_SCHEMA, riskMigrations);
  store = new RiskStore(db, rules);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("RiskStore against PostgreSQL", () => {
  it("counts a buyer's recent attempts and amounts, once per payment, and remembers each decision", async () => {
    expect(await store.assessOnce("pay_1", attempt("b1", 2_000n))).toEqual({ decision: "APPROVE", reasons: [] });
    // The same payment again: the first decision, not counted twice.
    expect(await store.assessOnce("pay_1", attempt("b1", 2_000n))).toEqual({ decision: "APPROVE", reasons: [] });
    expect((await store.assessOnce("pay_2", attempt("b1", 3_000n))).decision).toBe("APPROVE");
    // 5,000 approved in the window; 1,500 more passes the 6,000 sum: a person looks.
    expect(await store.assessOnce("pay_3", attempt("b1", 1_500n))).toMatchObject({
      decision: "REVIEW",
      reasons: [expect.objectContaining({ code: "velocity_amount" })],
    });
    // Three attempts in the window: the fourth is refused.
    expect(await store.assessOnce("pay_4", attempt("b1", 100n))).toMatchObject({
      decision: "REJECT",
      reasons: expect.arrayContaining([expect.objectContaining({ code: "velocity_count" })]),
    });
    // Another buyer is not affected.
    expect((await store.assessOnce("pay_5", attempt("b2", 100n))).decision).toBe("APPROVE");
  });

  it("rejects a blocked buyer with the reason, and concurrent attempts of one buyer see each other", async () => {
    await store.blockBuyer("b3", "chargeback fraud");
    expect(await store.assessOnce("pay_6", attempt("b3", 100n))).toMatchObject({ decision: "REJECT" });
    await store.unblockBuyer("b3");

    const decisions = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.assessOnce(`pay_c${i}`, attempt("b4", 100n))),
    );
    // b3's rejected attempt counts for b3 only; b4's six at once: exactly three get past the count.
    expect(decisions.filter((d) => d.decision === "APPROVE")).toHaveLength(3);
    expect(decisions.filter((d) => d.decision === "REJECT")).toHaveLength(3);
  });
});
