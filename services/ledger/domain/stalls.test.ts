import { describe, expect, it } from "vitest";
import { hoursToCompare, type HourCount } from "./stalls.js";

const H = 3600_000;
const at = (flow: string, hour: number, count: number): HourCount => ({ flow, hour: hour * H, count: BigInt(count) });

describe("hoursToCompare", () => {
  it("skips hours whose counts agree, and compares a differing hour and the next one", () => {
    const source = [at("payin", 1, 5), at("payin", 2, 3), at("payin", 3, 4), at("payin", 4, 2)];
    // One payment of hour 2 was booked in hour 3; another of hour 3 was never booked: hour 3's counts agree.
    const booked = [at("payin", 1, 5), at("payin", 2, 2), at("payin", 3, 4), at("payin", 4, 2)];
    expect(hoursToCompare("payin", source, booked)).toEqual([2 * H, 3 * H]);
  });

  it("counts an hour the ledger has nothing of as zero, and reads only the flow asked", () => {
    expect(hoursToCompare("refund", [at("refund", 7, 1), at("payin", 8, 1)], [at("payin", 8, 1)])).toEqual([7 * H]);
  });
});
