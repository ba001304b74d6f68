import { describe, expect, it, onTestFinished, vi } from "vitest";
import { startTestSimulator, type TestSimulator } from "./test-support.js";

const DAY = "2024-03-05";
const DISCREPANCIES = "/v1/test_helpers/settlements/discrepancies";

/** A simulator frozen at 2024-03-05T09:00Z with two EUR charges: A (1000) at 09:00:00.000 and B (2000) at 09:00:01.000. */
async function twoCharges() {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(`${DAY}T09:00:00.000Z`));
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const sim = await startTestSimulator();
  const a = await sim.paidPayment({ amount: 1000, currency: "EUR", reference: "order_A" });
  sim.advanceClock(1000);
  const b = await sim.paidPayment({ amount: 2000, currency: "EUR", reference: "order_B" });
  return { sim, a: a.id as string, b: b.id as string };
}

async function fileLines(sim: TestSimulator, date = DAY): Promise<string[]> {
  await sim.post("/v1/test_helpers/settlements/run", { date });
  return (await sim.request("GET", `/v1/settlements/${date}/file`)).text.split("\n");
}

const inject = (sim: TestSimulator, ...discrepancies: object[]) => sim.post(DISCREPANCIES, { discrepancies });

const A_TIME = `${DAY}T09:00:00.000Z`;
const B_TIME = `${DAY}T09:00:01.000Z`;

describe("settlement discrepancies", () => {
  it.each<[string, object, (ids: { a: string; b: string }) => string[]]>([
    ["drop_line", { kind: "drop_line", target: "B" }, ({ a }) => [`${a},order_A,charge,1000,59,941,EUR,${A_TIME}`]],
    [
      "duplicate_line",
      { kind: "duplicate_line", target: "B" },
      ({ a, b }) => [
        `${a},order_A,charge,1000,59,941,EUR,${A_TIME}`,
        `${b},order_B,charge,2000,88,1912,EUR,${B_TIME}`,
        `${b},order_B,charge,2000,88,1912,EUR,${B_TIME}`,
      ],
    ],
    [
      "amount_mismatch (gross and net move, the fee stays)",
      { kind: "amount_mismatch", target: "B", delta: 7 },
      ({ a, b }) => [`${a},order_A,charge,1000,59,941,EUR,${A_TIME}`, `${b},order_B,charge,2007,88,1919,EUR,${B_TIME}`],
    ],
    [
      "amount_mismatch on any line: the first",
      { kind: "amount_mismatch", delta: -5 },
      ({ a, b }) => [`${a},order_A,charge,995,59,936,EUR,${A_TIME}`, `${b},order_B,charge,2000,88,1912,EUR,${B_TIME}`],
    ],
    [
      "currency_mismatch (default: another currency)",
      { kind: "currency_mismatch", target: "B" },
      ({ a, b }) => [`${a},order_A,charge,1000,59,941,EUR,${A_TIME}`, `${b},order_B,charge,2000,88,1912,USD,${B_TIME}`],
    ],
    [
      "currency_mismatch to a given currency",
      { kind: "currency_mismatch", target: "any", currency: "gbp" },
      ({ a, b }) => [`${a},order_A,charge,1000,59,941,GBP,${A_TIME}`, `${b},order_B,charge,2000,88,1912,EUR,${B_TIME}`],
    ],
    [
      "malformed_line (default: a column missing)",
      { kind: "malformed_line", target: "B" },
      ({ a, b }) => [`${a},order_A,charge,1000,59,941,EUR,${A_TIME}`, `${b},order_B,charge,2000,88,1912,EUR`],
    ],
    [
      "malformed_line with a non-integer amount",
      { kind: "malformed_line", target: "B", form: "non_integer_amount" },
      ({ a, b }) => [
        `${a},order_A,charge,1000,59,941,EUR,${A_TIME}`,
        `${b},order_B,charge,20.00,88,1912,EUR,${B_TIME}`,
      ],
    ],
    [
      "unknown_line: a charge for a payment we never created, after the target, at its time",
      { kind: "unknown_line", target: "A", amount: 1234 },
      ({ a, b }) => [
        `${a},order_A,charge,1000,59,941,EUR,${A_TIME}`,
        `pi_unknown_20240305_1,pay_unknown_20240305_1,charge,1234,66,1168,EUR,${A_TIME}`,
        `${b},order_B,charge,2000,88,1912,EUR,${B_TIME}`,
      ],
    ],
  ])("%s", async (_, discrepancy, expected) => {
    const { sim, a, b } = await twoCharges();
    const clean = await fileLines(sim);
    const target = (discrepancy as { target?: string }).target;
    await inject(sim, {
      ...discrepancy,
      ...(target === "A" || target === "B" ? { target: target === "A" ? a : b } : {}),
    });

    const dirty = await fileLines(sim);
    expect(dirty.slice(1, -2)).toEqual(expected({ a, b }));
    // The header and the closing balance (the PSP's real balance) are untouched.
    expect([dirty[0], ...dirty.slice(-2)]).toEqual([clean[0], ...clean.slice(-2)]);
    expect((await sim.request("GET", DISCREPANCIES)).body.data).toEqual([]);
  });

  it("applies several in order, each to the file as the ones before left it", async () => {
    const { sim, b } = await twoCharges();
    await inject(
      sim,
      { kind: "drop_line" },
      { kind: "duplicate_line" },
      { kind: "unknown_line" },
      { kind: "unknown_line", target: b },
    );
    expect((await fileLines(sim)).slice(1, -2)).toEqual([
      `${b},order_B,charge,2000,88,1912,EUR,${B_TIME}`,
      `pi_unknown_20240305_2,pay_unknown_20240305_2,charge,1000,59,941,EUR,${B_TIME}`,
      `pi_unknown_20240305_1,pay_unknown_20240305_1,charge,1000,59,941,EUR,${B_TIME}`,
      `${b},order_B,charge,2000,88,1912,EUR,${B_TIME}`,
    ]);
    expect((await sim.request("GET", `/v1/settlements/${DAY}`)).body.lines).toBe(4);
  });

  it("waits for a file that has its target, then stays with that day: cutting it again gives the same faults", async () => {
    const { sim, a } = await twoCharges();
    sim.advanceClock(24 * 60 * 60 * 1000); // 2024-03-06T09:00:01Z, the day of the 5th is written clean
    const c = (await sim.paidPayment({ amount: 3000, currency: "EUR", reference: "order_C" })).id;
    const waiting = await inject(sim, { kind: "drop_line", target: c }, { kind: "malformed_line", target: a });
    expect(waiting.data).toHaveLength(2);

    const day1 = await fileLines(sim); // re-cut: A is there, C is not
    expect(day1[1]).toBe(`${a},order_A,charge,1000,59,941,EUR`);
    expect((await sim.request("GET", DISCREPANCIES)).body.data).toEqual([{ kind: "drop_line", target: c }]);

    const day2 = await fileLines(sim, "2024-03-06");
    expect(day2.slice(1, -2)).toEqual([]);
    expect((await sim.request("GET", DISCREPANCIES)).body.data).toEqual([]);

    expect(await fileLines(sim)).toEqual(day1);
    await sim.paidPayment({ amount: 500, currency: "EUR" });
    sim.advanceClock(24 * 60 * 60 * 1000);
    expect((await fileLines(sim, "2024-03-06")).slice(1, -2)).toEqual([
      expect.stringMatching(/,charge,500,45,455,EUR,/),
    ]);
  });

  it("an 'any' discrepancy waits while files have no movement lines", async () => {
    const sim = await startTestSimulator();
    await inject(sim, { kind: "duplicate_line" });
    await sim.post("/v1/test_helpers/settlements/run");
    expect((await sim.request("GET", DISCREPANCIES)).body.data).toEqual([{ kind: "duplicate_line", target: "any" }]);
  });

  it("fills in the defaults and lists what is waiting, in order", async () => {
    const sim = await startTestSimulator();
    const body = await inject(
      sim,
      { kind: "drop_line", target: "pi_x" },
      { kind: "currency_mismatch" },
      { kind: "malformed_line" },
      { kind: "unknown_line", target: null },
    );
    const data = [
      { kind: "drop_line", target: "pi_x" },
      { kind: "currency_mismatch", target: "any", currency: null },
      { kind: "malformed_line", target: "any", form: "missing_column" },
      { kind: "unknown_line", target: "any", amount: 1000 },
    ];
    expect(body).toEqual({ object: "list", data });
    await inject(sim, { kind: "amount_mismatch", delta: 1 });
    expect((await sim.request("GET", DISCREPANCIES)).body).toEqual({
      object: "list",
      data: [...data, { kind: "amount_mismatch", target: "any", delta: 1 }],
    });
  });

  it.each([
    [{}, "discrepancies", "parameter_missing"],
    [{ discrepancies: [] }, "discrepancies", "parameter_invalid"],
    [{ discrepancies: {} }, "discrepancies", "parameter_invalid"],
    [{ discrepancies: [{ kind: "drop_line" }], extra: 1 }, "extra", "parameter_unknown"],
    [{ discrepancies: ["drop_line"] }, "discrepancies[0]", "parameter_invalid"],
    [{ discrepancies: [{ kind: "drop_line" }, { kind: "explode" }] }, "discrepancies[1][kind]", "parameter_invalid"],
    [{ discrepancies: [{}] }, "discrepancies[0][kind]", "parameter_missing"],
    [{ discrepancies: [{ kind: "amount_mismatch" }] }, "discrepancies[0][delta]", "parameter_missing"],
    [{ discrepancies: [{ kind: "amount_mismatch", delta: 0 }] }, "discrepancies[0][delta]", "parameter_invalid"],
    [{ discrepancies: [{ kind: "amount_mismatch", delta: 1.5 }] }, "discrepancies[0][delta]", "parameter_invalid"],
    [{ discrepancies: [{ kind: "drop_line", delta: 5 }] }, "discrepancies[0][delta]", "parameter_unknown"],
    [{ discrepancies: [{ kind: "drop_line", target: 5 }] }, "discrepancies[0][target]", "parameter_invalid"],
    [
      { discrepancies: [{ kind: "currency_mismatch", currency: "XYZ" }] },
      "discrepancies[0][currency]",
      "parameter_invalid",
    ],
    [
      { discrepancies: [{ kind: "malformed_line", form: "upside_down" }] },
      "discrepancies[0][form]",
      "parameter_invalid",
    ],
    [{ discrepancies: [{ kind: "unknown_line", amount: -1 }] }, "discrepancies[0][amount]", "parameter_invalid"],
  ])("refuses %j with 400 naming %s, and keeps none of the list", async (body, param, code) => {
    const sim = await startTestSimulator();
    const res = await sim.request("POST", DISCREPANCIES, { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
    expect((await sim.request("GET", DISCREPANCIES)).body.data).toEqual([]);
  });
});
