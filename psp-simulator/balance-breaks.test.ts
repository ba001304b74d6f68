import { describe, expect, it, onTestFinished, vi } from "vitest";
import { settlementRows, startTestSimulator, type TestSimulator } from "./test-support.js";

const BREAKS = "/v1/test_helpers/settlements/balance_breaks";
const DAY_MS = 24 * 60 * 60 * 1000;

/** A simulator frozen at 2024-03-05T09:00Z (only advanceClock moves it) with a paid EUR charge of 1000 (net 941). */
async function oneCharge(): Promise<TestSimulator> {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2024-03-05T09:00:00.000Z"));
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const sim = await startTestSimulator();
  await sim.paidPayment({ amount: 1000, currency: "EUR" });
  return sim;
}

async function closingOf(sim: TestSimulator, date: string): Promise<Record<string, number>> {
  const text = (await sim.request("GET", `/v1/settlements/${date}/file`)).text;
  return Object.fromEntries(
    settlementRows(text)
      .filter((r) => r.type === "closing_balance")
      .map((r) => [r.currency, Number(r.net)]),
  );
}

describe("balance breaks", () => {
  it("misstates only the chosen day's closing balance, in the file and the settlement; the next day states the real one", async () => {
    const sim = await oneCharge();
    const listed = await sim.post(BREAKS, { date: "2024-03-06", currency: "eur", delta: 137 });
    expect(listed).toEqual({ object: "list", data: [{ date: "2024-03-06", currency: "EUR", delta: 137 }] });
    await sim.post(BREAKS, { date: "2024-03-06", currency: "USD", delta: -5 });

    sim.advanceClock(3 * DAY_MS);
    expect(await closingOf(sim, "2024-03-05")).toEqual({ EUR: 941 });
    // A currency without a balance gets a closing line of the break alone.
    expect(await closingOf(sim, "2024-03-06")).toEqual({ EUR: 941 + 137, USD: -5 });
    expect((await sim.request("GET", "/v1/settlements/2024-03-06")).body.closing_balance).toEqual({
      EUR: 1078,
      USD: -5,
    });
    expect(await closingOf(sim, "2024-03-07")).toEqual({ EUR: 941 });
  });

  it("goes into a day already written when it is cut again; setting it again replaces it", async () => {
    const sim = await oneCharge();
    await sim.post("/v1/test_helpers/settlements/run", { date: "2024-03-05" });
    await sim.post(BREAKS, { date: "2024-03-05", currency: "EUR", delta: 1 });
    expect(await closingOf(sim, "2024-03-05")).toEqual({ EUR: 941 });
    const replaced = await sim.post(BREAKS, { date: "2024-03-05", currency: "EUR", delta: -41 });
    expect(replaced.data).toEqual([{ date: "2024-03-05", currency: "EUR", delta: -41 }]);
    await sim.post("/v1/test_helpers/settlements/run", { date: "2024-03-05" });
    expect(await closingOf(sim, "2024-03-05")).toEqual({ EUR: 900 });
    expect((await sim.request("GET", BREAKS)).body.data).toEqual([{ date: "2024-03-05", currency: "EUR", delta: -41 }]);
  });

  it.each([
    [{ currency: "EUR", delta: 1 }, "date", "parameter_missing"],
    [{ date: "2024-02-30", currency: "EUR", delta: 1 }, "date", "parameter_invalid"],
    [{ date: "5 March", currency: "EUR", delta: 1 }, "date", "parameter_invalid"],
    [{ date: "2024-03-04", currency: "EUR", delta: 1 }, "date", "parameter_invalid"],
    [{ date: "2024-03-05", delta: 1 }, "currency", "parameter_missing"],
    [{ date: "2024-03-05", currency: "XYZ", delta: 1 }, "currency", "parameter_invalid"],
    [{ date: "2024-03-05", currency: "EUR" }, "delta", "parameter_missing"],
    [{ date: "2024-03-05", currency: "EUR", delta: 1.5 }, "delta", "parameter_invalid"],
    [{ date: "2024-03-05", currency: "EUR", delta: "137" }, "delta", "parameter_invalid"],
    [{ date: "2024-03-05", currency: "EUR", delta: 0 }, "delta", "parameter_invalid"],
    [{ date: "2024-03-05", currency: "EUR", delta: 1, extra: true }, "extra", "parameter_unknown"],
  ])("refuses %j with 400 naming %s, and sets nothing", async (body, param, code) => {
    const sim = await oneCharge();
    const res = await sim.request("POST", BREAKS, { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
    expect((await sim.request("GET", BREAKS)).body.data).toEqual([]);
  });
});
