import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it, onTestFinished } from "vitest";
import { syntheticMovements, writeSyntheticSettlement } from "./synthetic-settlement.js";
import { checkSettlementRows, csvFields, settlementRows, startTestSimulator } from "./test-support.js";

function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "psp-synthetic-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

describe("writeSyntheticSettlement", () => {
  it("writes a day of deterministic charges, then the closing balances, in the settlement format", async () => {
    const path = tempFile("small.csv");
    const result = await writeSyntheticSettlement(path, {
      lines: 4,
      currencies: ["EUR", "JPY"],
      date: "2024-03-05",
      openingBalance: { EUR: 1000, GBP: -50 },
    });
    const rows = settlementRows(readFileSync(path, "utf8"));
    checkSettlementRows(rows);
    const movements = [...syntheticMovements({ lines: 4, currencies: ["EUR", "JPY"], date: "2024-03-05" })];
    expect(rows.slice(0, 4).map((r) => [r.psp_reference, r.our_reference, r.type, r.currency, r.time])).toEqual([
      ["pi_bench_000001", "pay_bench_000001", "charge", "EUR", "2024-03-05T00:00:00.000Z"],
      ["pi_bench_000002", "pay_bench_000002", "charge", "JPY", "2024-03-05T06:00:00.000Z"],
      ["pi_bench_000003", "pay_bench_000003", "charge", "EUR", "2024-03-05T12:00:00.000Z"],
      ["pi_bench_000004", "pay_bench_000004", "charge", "JPY", "2024-03-05T18:00:00.000Z"],
    ]);
    expect(rows.slice(0, 4).map((r) => [Number(r.gross), Number(r.fee)])).toEqual(
      movements.map((m) => [m.gross, m.fee]),
    );

    const net = (currency: string) =>
      movements.filter((m) => m.currency === currency).reduce((sum, m) => sum + m.gross - m.fee, 0);
    const closingBalance = { EUR: 1000 + net("EUR"), GBP: -50, JPY: net("JPY") };
    expect(result).toEqual({ lines: 4, closingBalance });
    expect(rows.slice(4)).toEqual(
      Object.entries(closingBalance).map(([currency, balance]) => ({
        psp_reference: "",
        our_reference: "",
        type: "closing_balance",
        gross: "",
        fee: "",
        net: String(balance),
        currency,
        time: "2024-03-06T00:00:00.000Z",
      })),
    );

    const again = tempFile("again.csv");
    await writeSyntheticSettlement(again, {
      lines: 4,
      currencies: ["EUR", "JPY"],
      date: "2024-03-05",
      openingBalance: { EUR: 1000, GBP: -50 },
    });
    expect(readFileSync(again, "utf8")).toBe(readFileSync(path, "utf8"));
  });

  it("writes lines shaped exactly as the simulator's, with the same fees", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 35_861, currency: "EUR", reference: "pay_bench_000001" });
    const cut = await sim.post("/v1/test_helpers/settlements/run");
    const real = (await sim.request("GET", `/v1/settlements/${cut.date}/file`)).text.split("\n");

    const path = tempFile("one.csv");
    await writeSyntheticSettlement(path, { lines: 1, date: cut.date });
    const synthetic = readFileSync(path, "utf8").split("\n");
    expect(synthetic[0]).toBe(real[0]);
    expect(synthetic).toHaveLength(real.length);
    const [realCharge, syntheticCharge] = [csvFields(real[1] ?? ""), csvFields(synthetic[1] ?? "")];
    // The first synthetic charge is EUR 358.61, as the payment above: everything but the ids and the time is the same.
    expect(syntheticCharge.slice(1, 7)).toEqual(realCharge.slice(1, 7));
    expect(syntheticCharge[0]).toBe("pi_bench_000001");
    expect(realCharge[0]).toBe(payment.id);
    expect(csvFields(synthetic[2] ?? "").slice(0, 7)).toEqual(csvFields(real[2] ?? "").slice(0, 7));
  });

  it("refuses bad options", async () => {
    const path = tempFile("bad.csv");
    await expect(writeSyntheticSettlement(path, { lines: -1 })).rejects.toThrow("lines");
    await expect(writeSyntheticSettlement(path, { lines: 1, currencies: [] })).rejects.toThrow("currencies");
    await expect(writeSyntheticSettlement(path, { lines: 1, currencies: ["eur"] })).rejects.toThrow("currencies");
    await expect(writeSyntheticSettlement(path, { lines: 1, date: "2024-02-30" })).rejects.toThrow("date");
    await expect(writeSyntheticSettlement(path, { lines: 1, cutoff: "25:00" })).rejects.toThrow("settlementCutoff");
  });

  it("streams 1,000,000 lines", async () => {
    const path = tempFile("big.csv");
    const started = performance.now();
    const result = await writeSyntheticSettlement(path, { lines: 1_000_000, currencies: ["EUR", "USD", "JPY"] });
    const ms = Math.round(performance.now() - started);
    console.log(`writeSyntheticSettlement: 1,000,000 lines, ${(statSync(path).size / 1e6).toFixed(1)} MB in ${ms} ms`);

    let lines = 0;
    const last: string[] = [];
    for await (const line of createInterface({ input: createReadStream(path) })) {
      lines++;
      if (lines > 1_000_001) last.push(line);
    }
    expect(lines).toBe(1 + 1_000_000 + 3);
    expect(
      last.map((line) => csvFields(line)).map(([, , type, , , net, currency]) => [type, currency, Number(net)]),
    ).toEqual(
      Object.entries(result.closingBalance).map(([currency, balance]) => ["closing_balance", currency, balance]),
    );
  });
});
