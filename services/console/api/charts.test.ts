import { describe, expect, it } from "vitest";
import { axisTop, barChart } from "./charts.js";

describe("charts", () => {
  it("rounds the axis up, to whole ticks for counts", () => {
    expect([0, 0.3, 7, 45, 130, 999].map((max) => axisTop(max))).toEqual([1, 0.3, 8, 50, 150, 1000]);
    expect([0, 1, 5, 10, 45, 130].map((max) => axisTop(max, true))).toEqual([4, 4, 8, 12, 48, 160]);
  });

  it("stacks the series, breaks the line where it has no value, and escapes what it is given", () => {
    const svg = barChart({
      title: "A <chart>",
      categories: ["a", "b", "c"],
      series: [
        { name: "ok", color: "#0f0", values: [2, 0, 1] },
        { name: "bad", color: "#f00", values: [2, 0, 0] },
      ],
      format: String,
      integer: true,
      line: { name: "rate", color: "#00f", values: [50, null, 100], max: 100, format: (v) => `${v}%` },
    }).value;
    expect(svg).toContain('aria-label="A &#60;chart&#62;"');
    // Bars only where there is something; the two of "a" on top of each other, each half the axis.
    const bars = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*><title>([^<]*)</g)].map((m) => ({ y: Number(m[2]), h: Number(m[3]), title: m[4] }));
    expect(bars.map((b) => b.title)).toEqual(["a: ok 2", "a: bad 2", "c: ok 1"]);
    expect(bars[0]!.h).toBeCloseTo(bars[1]!.h);
    expect(bars[1]!.y + bars[1]!.h).toBeCloseTo(bars[0]!.y);
    expect(svg).not.toContain("<polyline");
    expect([...svg.matchAll(/<circle[^>]*><title>([^<]*)</g)].map((m) => m[1])).toEqual(["a: rate 50%", "c: rate 100%"]);
  });
});
