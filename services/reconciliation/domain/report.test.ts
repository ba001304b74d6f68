import { describe, expect, it } from "vitest";
import { formatReportTable, ReportBuilder, reportFromJson, reportToJson } from "./report.js";

describe("report", () => {
  const builder = new ReportBuilder();
  builder.add("amount_mismatch", "USD", 2_001n);
  builder.add("matched", "USD", 1_000n);
  builder.add("matched", "EUR", 500n);
  builder.add("matched", "USD", 250n);
  builder.add("malformed_line", "", 0n);
  const rows = builder.build();

  it("counts and sums per class and currency, in class order", () => {
    expect(rows.map((r) => [r.class, r.currency, r.count, r.amountMinor])).toEqual([
      ["matched", "EUR", 1, 500n],
      ["matched", "USD", 2, 1_250n],
      ["amount_mismatch", "USD", 1, 2_001n],
      ["malformed_line", "", 1, 0n],
    ]);
    expect(reportFromJson(reportToJson(rows))).toEqual(rows);
  });

  it("prints as a table", () => {
    expect(formatReportTable(rows)).toBe(
      [
        "class            currency  lines     amount",
        "---------------  --------  -----  ---------",
        "matched          EUR           1   5.00 EUR",
        "matched          USD           2  12.50 USD",
        "amount_mismatch  USD           1  20.01 USD",
        "malformed_line   -             1          -",
      ].join("\n"),
    );
  });
});
