import { describe, expect, it } from "vitest";
import { parseLine, splitCsv } from "./settlement-line.js";

describe("splitCsv", () => {
  it("splits RFC 4180 fields, quoted ones with doubled quotes and commas inside", () => {
    expect(splitCsv("a,b,,d")).toEqual(["a", "b", "", "d"]);
    expect(splitCsv('pi_2,"order ""C"", gift",charge')).toEqual(["pi_2", 'order "C", gift', "charge"]);
    expect(splitCsv('"a"b,c')).toBeUndefined();
    expect(splitCsv('"open')).toBeUndefined();
    expect(splitCsv('a"b,c')).toBeUndefined();
  });
});

describe("parseLine", () => {
  it("reads movement lines and closing balances as the contract writes them", () => {
    expect(parseLine("pi_1,order_A,charge,10000,320,9680,EUR,2024-03-05T09:00:00.000Z")).toEqual({
      kind: "movement",
      line: {
        pspReference: "pi_1",
        ourReference: "order_A",
        type: "charge",
        gross: 10_000n,
        fee: 320n,
        currency: "EUR",
        time: Date.parse("2024-03-05T09:00:00.000Z"),
      },
    });
    expect(parseLine("dp_1,x,fee,0,1500,-1500,USD,2024-03-05T12:00:00.000Z")).toMatchObject({
      kind: "movement",
      line: { type: "fee", gross: 0n, fee: 1500n },
    });
    expect(parseLine(",,closing_balance,,,-412,USD,2024-03-06T00:00:00.000Z")).toEqual({
      kind: "closing_balance",
      currency: "USD",
      balance: -412n,
      time: Date.parse("2024-03-06T00:00:00.000Z"),
    });
  });

  it("says what is wrong with a malformed line and keeps what it could read", () => {
    const problem = (text: string) => {
      const parsed = parseLine(text);
      return parsed.kind === "malformed" ? parsed.problem : parsed.kind;
    };
    expect(parseLine("pi_1,order_A,charge,10000,320,9680,EUR")).toEqual({
      kind: "malformed",
      problem: "it has 7 fields, not 8",
      pspReference: "pi_1",
      ourReference: "order_A",
      type: "charge",
    });
    expect(problem("pi_1,order_A,charge,100.00,320,9680,EUR,2024-03-05T09:00:00.000Z")).toBe(
      'gross "100.00" is not an integer number of minor units',
    );
    expect(problem("pi_1,order_A,charge,10000,320,9000,EUR,2024-03-05T09:00:00.000Z")).toBe(
      "net 9000 is not gross 10000 - fee 320",
    );
    expect(problem("pi_1,order_A,refund,2500,0,2500,EUR,2024-03-05T09:00:00.000Z")).toBe(
      "gross 2500 has the wrong sign for a refund line",
    );
    expect(problem("pi_1,order_A,refund,-2500,5,-2505,EUR,2024-03-05T09:00:00.000Z")).toBe(
      "a refund line has no fee, got 5",
    );
    expect(problem("pi_1,order_A,charge,10000,320,9680,eur,2024-03-05T09:00:00.000Z")).toBe(
      'currency "eur" is not an ISO 4217 code',
    );
    expect(problem("pi_1,order_A,charge,10000,320,9680,EUR,yesterday")).toBe(
      'time "yesterday" is not an ISO 8601 UTC time with milliseconds',
    );
    expect(problem("pi_1,order_A,gift,10000,320,9680,EUR,2024-03-05T09:00:00.000Z")).toMatch(
      /^type "gift" is not one of/,
    );
    expect(problem("")).toBe("it has 1 fields, not 8");
  });

  it("refuses a line with a column or a field missing as malformed, saying which", () => {
    const problem = (text: string) => {
      const parsed = parseLine(text);
      return parsed.kind === "malformed" ? parsed.problem : parsed.kind;
    };
    expect(parseLine(",,closing_balance,,,-412,USD")).toEqual({
      kind: "malformed",
      problem: "it has 7 fields, not 8",
      pspReference: "",
      ourReference: "",
      type: "closing_balance",
    });
    expect(problem("pi_1,order_A,charge,10000,320,9680,EUR,2024-03-05T09:00:00.000Z,extra")).toBe(
      "it has 9 fields, not 8",
    );
    expect(problem("pi_1")).toBe("it has 1 fields, not 8");
    expect(problem("pi_1,order_A,,10000,320,9680,EUR,2024-03-05T09:00:00.000Z")).toBe("type is missing");
    expect(problem(",order_A,charge,10000,320,9680,EUR,2024-03-05T09:00:00.000Z")).toBe(
      "psp_reference and our_reference are required on a movement line",
    );
    expect(problem("pi_1,order_A,charge,,320,9680,EUR,2024-03-05T09:00:00.000Z")).toBe("gross is missing");
    expect(problem("pi_1,order_A,charge,10000,,9680,EUR,2024-03-05T09:00:00.000Z")).toBe("fee is missing");
    expect(problem("pi_1,order_A,charge,10000,320,,EUR,2024-03-05T09:00:00.000Z")).toBe("net is missing");
    expect(problem("pi_1,order_A,charge,10000,320,9680,,2024-03-05T09:00:00.000Z")).toBe("currency is missing");
    expect(problem("pi_1,order_A,charge,10000,320,9680,EUR,")).toBe("time is missing");
    expect(problem(",,closing_balance,,,,USD,2024-03-06T00:00:00.000Z")).toBe("net is missing");
    expect(problem(",,closing_balance,,,-412,,2024-03-06T00:00:00.000Z")).toBe("currency is missing");
    expect(problem(",,closing_balance,,,-412,USD,")).toBe("time is missing");
  });
});
