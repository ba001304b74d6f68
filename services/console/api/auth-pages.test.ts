import { describe, expect, it } from "vitest";
import { safeNext } from "./auth-pages.js";

describe("where a login goes next", () => {
  it("keeps a path on this console", () => {
    expect(safeNext("/payments?buyer=b1")).toBe("/payments?buyer=b1");
    expect(safeNext("/ledger/transactions/payin%3Apay_1")).toBe("/ledger/transactions/payin%3Apay_1");
    // Encoded slashes stay in the path: the browser asks this console for it.
    expect(safeNext("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
  });

  it("goes home for anything a browser would read as another site", () => {
    for (const next of [
      null,
      "",
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "/\t/evil.example",
      "\\/evil.example",
      "/\n/evil.example",
      "javascript:alert(1)",
      "/.//evil.example",
      "/./\\evil.example",
      "/%2e//evil.example",
      "/..//evil.example",
      "/a/../..//evil.example",
      "/",
      "http:/evil.example",
      "%2F%2Fevil.example",
    ]) {
      expect(safeNext(next), JSON.stringify(next)).toBe("/overview");
    }
  });
});
