import { describe, expect, it } from "vitest";
import { csv } from "./csv.js";

describe("csv", () => {
  it("quotes what needs it, keeps numbers as they are, and defuses formulas", () => {
    expect(
      csv([
        ["a", "b,c", 'say "hi"', "two\nlines", 12n, -3],
        ['=HYPERLINK("x")', "+1", "-2 USD", "@sum", "plain", "-5.00"],
      ]),
    ).toBe('a,"b,c","say ""hi""","two\nlines",12,-3\r\n"\'=HYPERLINK(""x"")",\'+1,\'-2 USD,\'@sum,plain,-5.00\r\n');
  });
});
