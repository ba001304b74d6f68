import { addDays, type DailyValue } from "./daily-series.js";

/**
 * A made-up daily revenue history for tests, benchmarks and demos: a level growing by a linear trend (and wandering,
 * if asked), a weekly pattern, normal noise, and sale spikes on given days. The same options always give the same
 * series.
 */
export interface SyntheticHistoryOptions {
  /** The first day, YYYY-MM-DD. */
  start: string;
  days: number;
  /** Any integer; the noise is drawn from a PRNG seeded with it. */
  seed: number;
  /** The value on the first day before the weekly pattern and noise, minor units. */
  baseMinor: number;
  /** Added to the level each day, minor units (may be negative). */
  trendMinorPerDay: number;
  /** Added on each weekday, minor units, indexed by UTC day of the week: [Sunday, Monday, ..., Saturday]. */
  weekly: readonly number[];
  /** Standard deviation of the normal noise, minor units. */
  noiseStdDevMinor: number;
  /** If set, the level also wanders: each day it moves by a normal draw of this standard deviation, for good. */
  levelWalkStdDevMinor?: number;
  /** Extra revenue on a few days, e.g. a sale. */
  spikes?: readonly { day: string; extraMinor: number }[];
}

/** A good-sized shop in USD: 10,000.00 a day growing by 20.00 a day, quiet on Sundays, busiest on Fridays. */
export const DEMO_HISTORY: Omit<SyntheticHistoryOptions, "start" | "days" | "seed"> = {
  baseMinor: 1_000_000,
  trendMinorPerDay: 2_000,
  weekly: [-300_000, 50_000, 80_000, 60_000, 100_000, 180_000, -170_000],
  noiseStdDevMinor: 60_000,
};

/** mulberry32: a small, fast 32-bit PRNG, good enough for test noise; [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box-Muller: a standard normal draw from two uniform ones. */
function standardNormal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Day `index`'s value without the noise (nor the level's wandering): what a perfect forecast would say. */
export function syntheticExpected(options: SyntheticHistoryOptions, index: number): number {
  const day = addDays(options.start, index);
  const weekday = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  const spike = (options.spikes ?? []).filter((s) => s.day === day).reduce((sum, s) => sum + s.extraMinor, 0);
  return options.baseMinor + options.trendMinorPerDay * index + (options.weekly[weekday] ?? 0) + spike;
}

export function syntheticHistory(options: SyntheticHistoryOptions): DailyValue[] {
  if (options.weekly.length !== 7)
    throw new RangeError(`synthetic history: weekly needs 7 values (Sunday first), got ${options.weekly.length}`);
  if (!Number.isInteger(options.days) || options.days < 0)
    throw new RangeError(`synthetic history: days must be an integer >= 0, got ${options.days}`);
  const random = seededRandom(options.seed);
  const walkSd = options.levelWalkStdDevMinor ?? 0;
  let walk = 0;
  return Array.from({ length: options.days }, (_, i) => {
    // Drawn only when asked for, so that the other options' series stay as they were.
    if (walkSd > 0) walk += walkSd * standardNormal(random);
    const value = syntheticExpected(options, i) + walk + options.noiseStdDevMinor * standardNormal(random);
    return { day: addDays(options.start, i), valueMinor: BigInt(Math.round(value)) };
  });
}
