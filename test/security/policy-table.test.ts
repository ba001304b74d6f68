import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyTable } from "../../scripts/policy-table.js";

describe("the README's policy table", () => {
  it("is the one the services enforce", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const shown = /<!-- policy-table -->\n([\s\S]*?)\n<!-- \/policy-table -->/.exec(readme)?.[1];
    expect(shown, "run npx tsx scripts/policy-table.ts and paste its output between the policy-table markers").toBe(policyTable());
  });
});
