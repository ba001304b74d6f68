import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { SETTLEMENT_HEADER } from "../../services/reconciliation/domain/settlement-line.js";
import { failure } from "../support/clients.js";
import { usePlatform } from "../support/use-platform.js";
import { reconciliation } from "./reconciliation-calls.js";

/** RunReconciliation reads the files it is named only from its settlement directory, and only within limits. */
const under = usePlatform({ reconciliation: { fileLimits: { maxFileBytes: 4096, maxLineBytes: 200 } } });

const DATE = "2024-05-20";
const LINE = `pi_ghost,pay_ghost,charge,500,15,485,USD,${DATE}T10:00:00.000Z`;
const inDir = (...parts: string[]) => join(under.platform.settlementDir, ...parts);
const run = (filePath: string) => reconciliation(under).runReconciliation({ date: DATE, filePath });
const runsOfTheDay = async () => (await reconciliation(under).listRuns({ date: DATE })).runs as unknown[];

describe("RunReconciliation's file_path", () => {
  it("reads a file named in the settlement directory, also in a folder of it or through a link that stays in it", async () => {
    writeFileSync(inDir("settlement.csv"), `${SETTLEMENT_HEADER}\n${LINE}\n`);
    mkdirSync(inDir("may"));
    writeFileSync(inDir("may", "settlement.csv"), `${SETTLEMENT_HEADER}\n${LINE}\n`);
    symlinkSync(inDir("settlement.csv"), inDir("latest.csv"));
    for (const name of ["settlement.csv", "may/settlement.csv", "./may/../latest.csv"]) {
      const { run: done } = await run(name);
      expect(done).toMatchObject({ date: DATE, lines: 1n });
    }
  });

  it.each([
    ["/etc/shadow", "/etc/shadow", "is an absolute path"],
    ["../ climbing out", "../../../../../../etc/passwd", "points outside the settlement directory"],
    ["../ from a folder", "may/../../outside.csv", "points outside the settlement directory"],
    ["..", "..", "points outside the settlement directory"],
    ["a NUL byte", "bad\0name.csv", "file_path: contains the control character U+0000"],
    ["a 5,000-character name", "x".repeat(5000), "file_path: is 5000 characters long"],
  ])("refuses %s as INVALID_ARGUMENT, before looking at the file system", async (_label, name, why) => {
    expect(await failure(run(name))).toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining(why),
    });
  });

  it("refuses an absolute path even into the directory: names are relative to it", async () => {
    expect(await failure(run(inDir("settlement.csv")))).toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining("is an absolute path"),
    });
  });

  it("refuses a symbolic link that leads out of the directory, a directory and a named pipe", async () => {
    symlinkSync("/etc/passwd", inDir("passwd.csv"));
    symlinkSync("/etc", inDir("etc"));
    mkdirSync(inDir("folder.csv"));
    execFileSync("mkfifo", [inDir("pipe.csv")]);
    for (const [name, why] of [
      ["passwd.csv", "is a symbolic link to a file outside the settlement directory"],
      ["etc/passwd", "is a symbolic link to a file outside the settlement directory"],
      ["folder.csv", "is a directory, not a settlement file"],
      // Opening it would wait for a writer forever: the call returns at once instead.
      ["pipe.csv", "is a named pipe, not a settlement file"],
    ]) {
      expect(await failure(run(name!))).toMatchObject({
        code: Code.InvalidArgument,
        message: expect.stringContaining(`file_path: "${name}" ${why}`),
      });
    }
  });

  it("a file that is not there is NOT_FOUND, saying where to put it", async () => {
    for (const name of ["nowhere.csv", "settlement.csv/inside"]) {
      expect(await failure(run(name))).toMatchObject({
        code: Code.NotFound,
        message: `file_path: there is no "${name}" in the settlement directory; put the file there first, or leave file_path empty to take the day's file from the PSP`,
      });
    }
  });

  it("a file too large or with a line too long is FAILED_PRECONDITION, and no run is recorded", async () => {
    const before = (await runsOfTheDay()).length;
    writeFileSync(inDir("long-line.csv"), `${SETTLEMENT_HEADER}\n${LINE},${"x".repeat(300)}\n`);
    expect(await failure(run("long-line.csv"))).toMatchObject({
      code: Code.FailedPrecondition,
      message:
        "line 2 of the settlement file is longer than 200 bytes (SETTLEMENT_MAX_LINE_BYTES): it is not a settlement file, or a damaged one",
    });
    writeFileSync(inDir("large.csv"), `${SETTLEMENT_HEADER}\n${`${LINE}\n`.repeat(100)}`);
    expect(await failure(run("large.csv"))).toMatchObject({
      code: Code.FailedPrecondition,
      message: "the settlement file is larger than 4096 bytes (SETTLEMENT_MAX_FILE_BYTES)",
    });
    expect((await runsOfTheDay()).length).toBe(before);
  });
});
