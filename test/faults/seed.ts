import { randomInt } from "node:crypto";
import { seededRandom } from "../../services/lib/forecast/synthetic-history.js";

const SEEDS = 2 ** 32;

/** The fault suite's seed: FAULT_SEED replays a run's faults; without it, a new seed per run. */
export function faultSeed(value = process.env.FAULT_SEED): number {
  if (value === undefined || value === "") return randomInt(SEEDS);
  if (!/^\d+$/.test(value) || Number(value) >= SEEDS)
    throw new Error(`FAULT_SEED must be an integer from 0 to ${SEEDS - 1}, got "${value}"`);
  return Number(value);
}

/** Every random choice of the fault suite, one stream per consumer, so that one consumer's draws do not shift another's. */
export interface FaultRandomness {
  /** The PSP simulator's fault draws (drop, duplicate, reorder, latency, errors) and its webhook retry jitter. */
  psp: () => number;
  /** The checkouts' order amounts. */
  amounts: () => number;
  /** The callers' retry backoff jitter. */
  backoff: () => number;
}

export function faultRandomness(seed: number): FaultRandomness {
  // Multiples of the golden ratio's 32 bits spread the streams far apart in mulberry32's sequence.
  const stream = (n: number) => seededRandom((seed ^ Math.imul(n, 0x9e3779b9)) >>> 0);
  return { psp: stream(1), amounts: stream(2), backoff: stream(3) };
}
