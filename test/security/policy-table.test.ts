import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyTable } from "../../scripts/policy-table.js";

describe("the security model's policy table (docs/security.md)", () => {
  it("is the one the services enforce", () => {
    const doc = readFileSync(new URL("../../docs/security.md", import.meta.url), "utf8");
    const shown = /<!-- policy-table -->\n([\s\S]*?)\n<!-- \/policy-table -->/.exec(doc)?.[1];
    expect(
      shown,
      "run npx tsx scripts/policy-table.ts and paste its output between the policy-table markers of docs/security.md",
    ).toBe(policyTable());
  });
});
