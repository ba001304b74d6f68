import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Logger } from "../../lib/log.js";
import { reconcileDueDays } from "./schedule.js";
import { inMemoryReconciliation } from "./testing/reconciliation-setup.js";
import { settlementFile } from "./testing/settlement-files.js";

function recordingLog() {
  const warnings: string[] = [];
  const quiet = () => {};
  const log: Logger = {
    debug: quiet,
    info: quiet,
    error: quiet,
    warn: (msg, fields) => warnings.push(`${String(fields?.date)}: ${msg}`),
    child: () => log,
  };
  return { log, warnings };
}

describe("reconcileDueDays on in-memory ports", () => {
  it("reconciles the days never reconciled or whose last run failed, leaves those without a file or held for later, and warns of the others", async () => {
    const { reconciliation, records, psp } = inMemoryReconciliation();
    const { log, warnings } = recordingLog();
    for (const date of ["2024-03-01", "2024-03-02", "2024-03-04", "2024-03-05"])
      psp.files.set(date, settlementFile([]));
    psp.files.set("2024-03-06", {
      ...settlementFile([]),
      read: () => Readable.from([Buffer.from("not,a,settlement,file\n")]),
    });
    await reconciliation.run("2024-03-01");
    const failed = await records.claimRun("2024-03-02", "old-checksum", "psp", undefined);
    await records.failRun(failed.run.id, "the ledger could not be reached");
    // 2024-03-03: no file yet. 2024-03-05: another instance is reconciling it.
    const held = await records.withDayLock("2024-03-05", () =>
      reconcileDueDays(
        reconciliation,
        records,
        ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05", "2024-03-06"],
        log,
      ),
    );
    expect(held!.value).toEqual(["2024-03-02", "2024-03-04"]);
    expect(warnings).toEqual(["2024-03-06: scheduled reconciliation failed; it runs again next time"]);
    expect(await records.dayIsDue("2024-03-02")).toBe(false);
    expect(await records.dayIsDue("2024-03-06")).toBe(true);
  });
});
