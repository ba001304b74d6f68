import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseFailpoints } from "./failpoints.js";

describe("failpoints", () => {
  it("parses names, with an optional hit number", () => {
    expect(parseFailpoints("")).toEqual(new Map());
    expect(parseFailpoints(" payment.after-psp-register , payment.relay-after-publish@3")).toEqual(
      new Map([
        ["payment.after-psp-register", 1],
        ["payment.relay-after-publish", 3],
      ]),
    );
  });

  it("refuses an unknown point or a bad hit number, naming it", () => {
    expect(() => parseFailpoints("payment.nowhere")).toThrow(/unknown point "payment.nowhere"/);
    expect(() => parseFailpoints("payment.after-psp-register@0")).toThrow(/name@N with N >= 1/);
  });

  it("kills the process with SIGKILL on the armed hit, and not before", () => {
    const script = `
      const { failpoint } = await import("./services/lib/failpoints.ts");
      failpoint("payment.relay-after-publish");
      console.log("survived the first hit");
      failpoint("payment.relay-after-publish");
      console.log("survived the second hit");`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env: { ...process.env, FAILPOINTS: "payment.relay-after-publish@2" },
      encoding: "utf8",
    });
    expect(child.signal).toBe("SIGKILL");
    expect(child.stdout).toBe("survived the first hit\n");
    expect(child.stderr).toMatch(/FAILPOINT payment.relay-after-publish hit 2: SIGKILL/);
  });
});
