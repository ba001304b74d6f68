import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { startPspSimulator } from "./server.js";
import {
  API_KEY,
  checkSettlementRows,
  settlementRows,
  startTestSimulator,
  WEBHOOK_SECRET,
  type SettlementRow,
  type TestSimulator,
} from "./test-support.js";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Stops `Date` (and so the simulator's clock) at `iso`; only `advanceClock` moves it. Timers stay real. */
function freezeTime(iso: string): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(iso));
  onTestFinished(() => {
    vi.useRealTimers();
  });
}

async function settlementFile(sim: TestSimulator, date: string): Promise<string> {
  const res = await sim.request("GET", `/v1/settlements/${date}/file`);
  expect(res.status).toBe(200);
  return res.text;
}

const run = (sim: TestSimulator, date?: string) =>
  sim.post("/v1/test_helpers/settlements/run", date === undefined ? {} : { date });

const closing = (rows: SettlementRow[]) =>
  Object.fromEntries(rows.filter((r) => r.type === "closing_balance").map((r) => [r.currency, Number(r.net)]));

const unixSeconds = (iso: string) => Date.parse(iso) / 1000;

describe("the daily settlement file", () => {
  it("lists a day of charges, refunds, disputes and payouts in time order, then the closing balances (golden)", async () => {
    freezeTime("2024-03-05T09:00:00.000Z");
    const sim = await startTestSimulator();

    const a = await sim.paidPayment({ amount: 10_000, currency: "EUR", reference: "order_A" });
    sim.advanceClock(HOUR_MS); // 10:00
    const refund1 = await sim.post("/v1/refunds", { payment: a.id, amount: 2500, metadata: { refund_id: "rf_1" } });
    await sim.waitForStatus(`/v1/refunds/${refund1.id}`, "succeeded");
    const refund2 = await sim.post("/v1/refunds", { payment: a.id, amount: 500 });
    await sim.waitForStatus(`/v1/refunds/${refund2.id}`, "succeeded");
    const f = await sim.paidPayment({ amount: 700, currency: "EUR", reference: "order_F" }, "4000000000005126");
    const failedRefund = await sim.post("/v1/refunds", { payment: f.id });
    await sim.waitForStatus(`/v1/refunds/${failedRefund.id}`, "failed");

    sim.advanceClock(HOUR_MS); // 11:00
    const b = await sim.paidPayment({ amount: 5000, currency: "EUR", reference: "order_B", capture_method: "manual" });
    await sim.post(`/v1/payments/${b.id}/capture`, { amount_to_capture: 4000 });
    const voided = await sim.paidPayment({ amount: 900, currency: "EUR", capture_method: "manual" });
    await sim.post(`/v1/payments/${voided.id}/cancel`);
    await sim.paidPayment({ amount: 800, currency: "EUR" }, "4000000000000002");

    sim.advanceClock(HOUR_MS); // 12:00
    const c = await sim.paidPayment({ amount: 2000, currency: "USD", reference: 'order "C", gift' });
    const disputeC = await sim.post(`/v1/test_helpers/payments/${c.id}/dispute`);
    sim.advanceClock(HOUR_MS); // 13:00
    await sim.post(`/v1/test_helpers/disputes/${disputeC.id}/close`, { outcome: "won" });

    sim.advanceClock(HOUR_MS); // 14:00
    const d = await sim.paidPayment({ amount: 3000, currency: "EUR", reference: "order_D" });
    const disputeD = await sim.post(`/v1/test_helpers/payments/${d.id}/dispute`, { amount: 1000 });
    await sim.post(`/v1/test_helpers/disputes/${disputeD.id}/close`, { outcome: "lost" });

    sim.advanceClock(HOUR_MS); // 15:00
    const payout = await sim.post("/v1/payouts", {
      amount: 5000,
      currency: "EUR",
      destination: "ba_1",
      reference: "payout_1",
    });
    await sim.waitForStatus(`/v1/payouts/${payout.id}`, "paid");
    const failedPayout = await sim.post("/v1/payouts", {
      amount: 100,
      currency: "EUR",
      destination: "ba_closed",
      reference: "payout_2",
    });
    await sim.waitForStatus(`/v1/payouts/${failedPayout.id}`, "failed");

    expect((await sim.request("GET", "/v1/settlements")).body).toEqual({ object: "list", data: [] });
    sim.advanceClock(9 * HOUR_MS); // the cutoff, 2024-03-06T00:00:00Z

    const C = '"order ""C"", gift"';
    const expected = [
      "psp_reference,our_reference,type,gross,fee,net,currency,time",
      `${a.id},order_A,charge,10000,320,9680,EUR,2024-03-05T09:00:00.000Z`,
      `${refund1.id},order_A/rf_1,refund,-2500,0,-2500,EUR,2024-03-05T10:00:00.000Z`,
      `${refund2.id},order_A,refund,-500,0,-500,EUR,2024-03-05T10:00:00.000Z`,
      `${f.id},order_F,charge,700,50,650,EUR,2024-03-05T10:00:00.000Z`,
      `${b.id},order_B,charge,4000,146,3854,EUR,2024-03-05T11:00:00.000Z`,
      `${c.id},${C},charge,2000,88,1912,USD,2024-03-05T12:00:00.000Z`,
      `${disputeC.id},${C},chargeback,-2000,0,-2000,USD,2024-03-05T12:00:00.000Z`,
      `${disputeC.id},${C},fee,0,1500,-1500,USD,2024-03-05T12:00:00.000Z`,
      `${disputeC.id},${C},chargeback_reversal,2000,0,2000,USD,2024-03-05T13:00:00.000Z`,
      `${d.id},order_D,charge,3000,117,2883,EUR,2024-03-05T14:00:00.000Z`,
      `${disputeD.id},order_D,chargeback,-1000,0,-1000,EUR,2024-03-05T14:00:00.000Z`,
      `${disputeD.id},order_D,fee,0,1500,-1500,EUR,2024-03-05T14:00:00.000Z`,
      `${payout.id},payout_1,payout,-5000,0,-5000,EUR,2024-03-05T15:00:00.000Z`,
      ",,closing_balance,,,6567,EUR,2024-03-06T00:00:00.000Z",
      ",,closing_balance,,,412,USD,2024-03-06T00:00:00.000Z",
      "",
    ].join("\n");

    const res = await sim.request("GET", "/v1/settlements/2024-03-05/file");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.text).toBe(expected);
    expect(readFileSync(join(sim.settlementDir, "settlement-2024-03-05.csv"), "utf8")).toBe(expected);
    const rows = settlementRows(res.text);
    checkSettlementRows(rows);
    expect(rows[5]?.our_reference).toBe('order "C", gift');

    const metadata = {
      id: "st_2024-03-05",
      object: "settlement",
      date: "2024-03-05",
      file_name: "settlement-2024-03-05.csv",
      lines: 13,
      closing_balance: { EUR: 6567, USD: 412 },
      created: unixSeconds("2024-03-06T00:00:00Z"),
    };
    expect((await sim.request("GET", "/v1/settlements/2024-03-05")).body).toEqual(metadata);
    expect((await sim.request("GET", "/v1/settlements")).body).toEqual({ object: "list", data: [metadata] });
  });

  it("writes each day crossed by an advance, in order, with its movements at their own time; balances chain", async () => {
    freezeTime("2024-03-05T09:00:00.000Z");
    const sim = await startTestSimulator({ payoutDelayMs: DAY_MS });
    await sim.paidPayment({ amount: 10_000, currency: "EUR", reference: "order_1" });
    const payout = await sim.post("/v1/payouts", {
      amount: 3000,
      currency: "EUR",
      destination: "ba_1",
      reference: "payout_1",
    });
    const authorized = await sim.paidPayment({
      amount: 2000,
      currency: "EUR",
      reference: "order_2",
      capture_method: "manual",
    });

    sim.advanceClock(2 * DAY_MS); // to 2024-03-07T09:00Z; the payout was paid on the 6th at 09:00
    const list = (await sim.request("GET", "/v1/settlements")).body.data;
    expect(list.map((s: any) => [s.date, s.created, s.closing_balance])).toEqual([
      ["2024-03-05", unixSeconds("2024-03-06T00:00:00Z"), { EUR: 9680 }],
      ["2024-03-06", unixSeconds("2024-03-07T00:00:00Z"), { EUR: 6680 }],
    ]);
    expect(readdirSync(sim.settlementDir).sort()).toEqual(["settlement-2024-03-05.csv", "settlement-2024-03-06.csv"]);
    const day2 = settlementRows(await settlementFile(sim, "2024-03-06"));
    expect(day2[0]).toEqual({
      psp_reference: payout.id,
      our_reference: "payout_1",
      type: "payout",
      gross: "-3000",
      fee: "0",
      net: "-3000",
      currency: "EUR",
      time: "2024-03-06T09:00:00.000Z",
    });

    // Captured on day 3: the charge settles then, not when authorized.
    await sim.post(`/v1/payments/${authorized.id}/capture`);
    const day3 = await run(sim);
    expect(day3).toMatchObject({ date: "2024-03-07", lines: 1, closing_balance: { EUR: 6680 + 2000 - 88 } });

    const days = await Promise.all(
      ["2024-03-05", "2024-03-06", "2024-03-07"].map(async (date) => settlementRows(await settlementFile(sim, date))),
    );
    let opening: Record<string, number> = {};
    for (const rows of days) {
      checkSettlementRows(rows);
      const nets = rows.filter((r) => r.type !== "closing_balance").reduce((sum, r) => sum + Number(r.net), 0);
      expect(closing(rows).EUR).toBe((opening.EUR ?? 0) + nets);
      opening = closing(rows);
    }
  });

  it("writes a file with only the closing balances for a day without movements, none before any money moved", async () => {
    freezeTime("2024-03-05T09:00:00.000Z");
    const sim = await startTestSimulator();
    sim.advanceClock(DAY_MS);
    expect(await settlementFile(sim, "2024-03-05")).toBe(
      "psp_reference,our_reference,type,gross,fee,net,currency,time\n",
    );
    await sim.paidPayment({ amount: 1000, currency: "JPY" });
    sim.advanceClock(2 * DAY_MS);
    expect(await settlementFile(sim, "2024-03-07")).toBe(
      "psp_reference,our_reference,type,gross,fee,net,currency,time\n,,closing_balance,,,941,JPY,2024-03-08T00:00:00.000Z\n",
    );
  });

  it("ends each day at settlementCutoff: a movement at the cutoff belongs to the next day", async () => {
    freezeTime("2024-03-05T12:00:00.000Z");
    const sim = await startTestSimulator({ settlementCutoff: "18:30" });
    const p1 = await sim.paidPayment({ amount: 1000 });
    sim.advanceClock(6 * HOUR_MS + 30 * 60 * 1000 - 1); // 18:29:59.999
    const p2 = await sim.paidPayment({ amount: 1000 });
    expect((await sim.request("GET", "/v1/settlements")).body.data).toEqual([]);

    sim.advanceClock(1); // 18:30, the cutoff: the day of 2024-03-04 18:30 to 2024-03-05 18:30 is written
    const p3 = await sim.paidPayment({ amount: 1000 });
    const first = settlementRows(await settlementFile(sim, "2024-03-04"));
    expect(first.map((r) => [r.psp_reference, r.time])).toEqual([
      [p1.id, "2024-03-05T12:00:00.000Z"],
      [p2.id, "2024-03-05T18:29:59.999Z"],
      ["", "2024-03-05T18:30:00.000Z"],
    ]);
    expect(await run(sim)).toMatchObject({ date: "2024-03-05", lines: 1 });
    expect(settlementRows(await settlementFile(sim, "2024-03-05"))[0]).toMatchObject({
      psp_reference: p3.id,
      time: "2024-03-05T18:30:00.000Z",
    });
  });

  it.each(["24:00", "7:00", "12:60", "noon", ""])("startPspSimulator refuses settlementCutoff %j", async (cutoff) => {
    await expect(
      startPspSimulator({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, settlementCutoff: cutoff }),
    ).rejects.toThrow("settlementCutoff");
  });

  it("writes into settlementDir (created if missing) and keeps it on close; its own temporary directory is removed", async () => {
    const parent = mkdtempSync(join(tmpdir(), "psp-settlement-test-"));
    onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
    const dir = join(parent, "nested", "settlements");
    const sim = await startPspSimulator({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, settlementDir: dir });
    expect(sim.settlementDir).toBe(dir);
    sim.advanceClock(DAY_MS);
    await sim.close();
    expect(readdirSync(dir)).toHaveLength(1);

    const own = await startPspSimulator({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET });
    expect(existsSync(own.settlementDir)).toBe(true);
    await own.close();
    expect(existsSync(own.settlementDir)).toBe(false);
  });
});

describe("POST /v1/test_helpers/settlements/run", () => {
  it("cuts the current day so far; again gives the same file and metadata until the day changes; late movements join it", async () => {
    freezeTime("2024-03-05T09:00:00.000Z");
    const sim = await startTestSimulator();
    const first = await sim.paidPayment({ amount: 1000 });
    const cut = await run(sim);
    expect(cut).toEqual({
      id: "st_2024-03-05",
      object: "settlement",
      date: "2024-03-05",
      file_name: "settlement-2024-03-05.csv",
      lines: 1,
      closing_balance: { EUR: 941 },
      created: unixSeconds("2024-03-05T09:00:00Z"),
    });
    const file = await settlementFile(sim, "2024-03-05");

    sim.advanceClock(HOUR_MS);
    expect(await run(sim, "2024-03-05")).toEqual(cut);
    expect(await settlementFile(sim, "2024-03-05")).toBe(file);

    const late = await sim.paidPayment({ amount: 2000 });
    expect(await run(sim)).toMatchObject({
      lines: 2,
      closing_balance: { EUR: 941 + 1912 },
      created: unixSeconds("2024-03-05T10:00:00Z"),
    });
    sim.advanceClock(14 * HOUR_MS); // the cutoff re-cuts the day, which has not changed since
    expect((await sim.request("GET", "/v1/settlements/2024-03-05")).body.created).toBe(
      unixSeconds("2024-03-05T10:00:00Z"),
    );
    expect(settlementRows(await settlementFile(sim, "2024-03-05")).map((r) => r.psp_reference)).toEqual([
      first.id,
      late.id,
      "",
    ]);
  });

  it.each([
    [{ date: "2024-03-06" }, "parameter_invalid"], // tomorrow
    [{ date: "2024-03-04" }, "parameter_invalid"], // before the simulator started
    [{ date: "2024-02-30" }, "parameter_invalid"],
    [{ date: "05/03/2024" }, "parameter_invalid"],
    [{ date: 20240305 }, "parameter_invalid"],
  ])("refuses %j with 400 naming date", async (body, code) => {
    freezeTime("2024-03-05T09:00:00.000Z");
    const sim = await startTestSimulator();
    const res = await sim.request("POST", "/v1/test_helpers/settlements/run", { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param: "date" });
    expect((await sim.request("GET", "/v1/settlements")).body.data).toEqual([]);
  });
});

describe("settlement routes", () => {
  it.each([
    ["GET", "/v1/settlements"],
    ["GET", "/v1/settlements/2024-03-05"],
    ["GET", "/v1/settlements/2024-03-05/file"],
    ["POST", "/v1/test_helpers/settlements/run"],
    ["POST", "/v1/test_helpers/settlements/discrepancies"],
    ["GET", "/v1/test_helpers/settlements/discrepancies"],
  ])("%s %s needs the API key", async (method, path) => {
    const sim = await startTestSimulator();
    const res = await sim.request(method, path, { apiKey: "sk_wrong", body: method === "POST" ? {} : undefined });
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe("authentication_error");
  });

  it.each(["2030-01-01", "yesterday", "st_2024-03-05"])("answers 404 for a day without a file: %s", async (date) => {
    const sim = await startTestSimulator();
    await run(sim);
    for (const path of [`/v1/settlements/${date}`, `/v1/settlements/${date}/file`]) {
      const res = await sim.request("GET", path);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        type: "invalid_request_error",
        code: "resource_missing",
        param: "date",
        message: `No such settlement: '${date}'`,
      });
    }
  });
});
