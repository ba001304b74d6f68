import { describe, expect, it } from "vitest";
import { GroupInsert } from "./group-insert.js";

/** A table whose inserts complete when told to, recording each statement's rows; "bad" rows fail theirs. */
function table() {
  const statements: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (rows: string[]) =>
    new Promise<void>((resolve, reject) => {
      statements.push(rows);
      pending.push(() => (rows.includes("bad") ? reject(new Error("bad row")) : resolve()));
    });
  const completeAll = async () => {
    while (pending.length > 0) {
      for (const complete of pending.splice(0)) complete();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { statements, write, completeAll };
}

describe("GroupInsert", () => {
  it("inserts a row alone at once, and the rows that arrive meanwhile together in the next statement", async () => {
    const { statements, write, completeAll } = table();
    const inserts = new GroupInsert(write);
    const done = ["a", "b", "c", "d"].map((row) => inserts.insert(row));
    expect(statements).toEqual([["a"]]);
    await completeAll();
    await Promise.all(done);
    expect(statements).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("fails only the bad row of a group: the group is inserted again one row at a time", async () => {
    const { statements, write, completeAll } = table();
    const inserts = new GroupInsert(write);
    const outcomes = ["a", "b", "bad", "c"].map((row) =>
      inserts.insert(row).then(
        () => "ok",
        (e: Error) => e.message,
      ),
    );
    await completeAll();
    expect(await Promise.all(outcomes)).toEqual(["ok", "ok", "bad row", "ok"]);
    expect(statements).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
  });

  it("keeps groups to maxRows", async () => {
    const { statements, write, completeAll } = table();
    const inserts = new GroupInsert(write, 2);
    const done = ["a", "b", "c", "d", "e"].map((row) => inserts.insert(row));
    await completeAll();
    await Promise.all(done);
    expect(statements).toEqual([["a"], ["b", "c"], ["d", "e"]]);
  });
});
