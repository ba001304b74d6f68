import { describe, expect, it } from "vitest";
import { axisTop, bandChart, barChart } from "./charts.js";

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
    const bars = [
      ...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*><title>([^<]*)</g),
    ].map((m) => ({ y: Number(m[2]), h: Number(m[3]), title: m[4] }));
    expect(bars.map((b) => b.title)).toEqual(["a: ok 2", "a: bad 2", "c: ok 1"]);
    expect(bars[0]!.h).toBeCloseTo(bars[1]!.h);
    expect(bars[1]!.y + bars[1]!.h).toBeCloseTo(bars[0]!.y);
    expect(svg).not.toContain("<polyline");
    expect([...svg.matchAll(/<circle[^>]*><title>([^<]*)</g)].map((m) => m[1])).toEqual([
      "a: rate 50%",
      "c: rate 100%",
    ]);
  });

  it("draws the line inside its bands, the axis going below zero when a band does, with a tooltip on every point", () => {
    const svg = bandChart({
      title: "Forecast <net>",
      categories: ["d1", "d2", "d3"],
      line: { name: "forecast", color: "#00f", values: [10, 20, 30], labels: ["10.00 USD", "20.00 USD", "30.00 USD"] },
      bands: [
        { name: "95% interval", color: "#00f", low: [-5, 0, 5], high: [25, 40, 55] },
        { name: "80% interval", color: "#00f", low: [0, 8, 15], high: [20, 32, 45] },
      ],
      format: String,
    }).value;
    expect(svg).toContain('aria-label="Forecast &#60;net&#62;"');
    expect([...svg.matchAll(/<polygon class="band"[^>]*><title>([^<]*)</g)].map((m) => m[1])).toEqual([
      "95% interval",
      "80% interval",
    ]);
    expect([...svg.matchAll(/<circle[^>]*><title>([^<]*)</g)].map((m) => m[1])).toEqual([
      "d1: forecast 10.00 USD",
      "d2: forecast 20.00 USD",
      "d3: forecast 30.00 USD",
    ]);
    // The grid runs from a round number below the lowest band to one above the highest.
    const ticks = [
      ...svg.matchAll(/<text x="78" y="[\d.]+" font-size="13" text-anchor="end" fill="#5b6472">([^<]*)</g),
    ].map((m) => Number(m[1]));
    expect(ticks[0]).toBe(-5);
    expect(ticks[ticks.length - 1]).toBe(60);
    // Each band's polygon goes out along its highs and back along its lows: its points' y all lie on the plot.
    const ys = (points: string) => points.split(" ").map((p) => Number(p.split(",")[1]));
    const [outer] = [...svg.matchAll(/<polygon class="band" points="([^"]*)"/g)].map((m) => ys(m[1]!));
    expect(outer).toHaveLength(6);
    expect(Math.max(...outer!)).toBeCloseTo(212);
    expect(Math.min(...outer!)).toBeGreaterThan(12);
  });
});
