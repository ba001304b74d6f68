import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/log.js";
import { startCheckpointer } from "./checkpointer.js";
import type { Checkpoints } from "./ports.js";

const log = createLogger("checkpointer-test");

describe("startCheckpointer", () => {
  it("folds at once, then again after each interval, and a failed run does not stop it", async () => {
    const runs: string[] = [];
    const checkpoints: Checkpoints = {
      async advanceCheckpoints() {
        runs.push(runs.length === 1 ? "failed" : "folded");
        if (runs.length === 2) throw new Error("connection terminated");
        return runs.length === 3 ? undefined : 1; // undefined: another instance held the lock
      },
    };
    const stop = startCheckpointer(checkpoints, 5, log);
    expect(runs).toEqual(["folded"]);
    await expect.poll(() => runs.length).toBeGreaterThanOrEqual(4);
    await stop();
    expect(runs.slice(0, 4)).toEqual(["folded", "failed", "folded", "folded"]);
  });

  it("stops after the run in progress, without waiting for the interval", async () => {
    let release!: () => void;
    let runs = 0;
    const stop = startCheckpointer(
      { advanceCheckpoints: () => (runs++, new Promise<number>((resolve) => (release = () => resolve(1)))) },
      3_600_000,
      log,
    );
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(runs).toBe(1);
  });
});
