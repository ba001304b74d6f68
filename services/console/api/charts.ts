import { html, type SafeHtml } from "./html.js";

/** Bars stacked in the order given; `labels` (one per value) replace the formatted value in tooltips. */
export interface Series {
  name: string;
  color: string;
  values: number[];
  labels?: string[];
}

/** A line over the bars on its own scale 0..max (e.g. a rate in %); null where there is no value. */
export interface Line {
  name: string;
  color: string;
  values: (number | null)[];
  max: number;
  format(value: number): string;
}

export interface BarChart {
  /** Read out by screen readers, and the SVG's title. */
  title: string;
  /** One per bar, e.g. the period's start. */
  categories: string[];
  series: Series[];
  format(value: number): string;
  /** Counts: every tick a whole number. */
  integer?: boolean;
  line?: Line;
}

const WIDTH = 640;
const HEIGHT = 240;
const TOP = 12;
const BOTTOM = 28;
const LEFT = 84;
const MAX_CATEGORY_LABELS = 8;
const TICKS = 4;

const ROUND_STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8];

/** The smallest round number (a step above times a power of ten), whole if asked, that is at least `max` (> 0). */
function roundUp(max: number, whole: boolean): number {
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return ROUND_STEPS.map((s) => Number((s * magnitude).toPrecision(12))).find((v) => v >= max && (!whole || Number.isInteger(v))) ?? 10 * magnitude;
}

/** A round top for the axis, at least `max`; for counts, one whose every tick is a whole number. */
export function axisTop(max: number, integer = false): number {
  if (!integer) return max <= 0 ? 1 : roundUp(max, false);
  return TICKS * roundUp(Math.max(1, Math.ceil(max / TICKS)), true);
}

/** The axis format of counts. */
export const wholeNumber = (n: number): string => String(Math.round(n));

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A stacked bar chart as inline SVG: no script, nothing from another host, scaled to the width it is given
 * (viewBox), with a tooltip (<title>) on every bar and point, and its legend in HTML.
 */
export function barChart(chart: BarChart): SafeHtml {
  const right = chart.line ? 48 : 12;
  const plotWidth = WIDTH - LEFT - right;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const n = chart.categories.length;
  const totals = chart.categories.map((_, i) => chart.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const top = axisTop(Math.max(0, ...totals), chart.integer);
  const slot = plotWidth / Math.max(n, 1);
  const barWidth = Math.min(Math.max(1, slot * 0.7), 48);
  const y = (value: number, max: number) => TOP + plotHeight - (value / max) * plotHeight;
  const xCenter = (i: number) => LEFT + slot * i + slot / 2;

  const grid = Array.from({ length: TICKS + 1 }, (_, k) => {
    const value = (top / TICKS) * k;
    const at = round(y(value, top));
    const rightLabel = chart.line
      ? html`<text x="${WIDTH - right + 6}" y="${at + 4}" font-size="13" fill="${chart.line.color}">${chart.line.format((chart.line.max / TICKS) * k)}</text>`
      : "";
    return html`<line x1="${LEFT}" x2="${WIDTH - right}" y1="${at}" y2="${at}" stroke="#e3e6eb"/><text x="${LEFT - 6}" y="${at + 4}" font-size="13" text-anchor="end" fill="#5b6472">${chart.format(value)}</text>${rightLabel}`;
  });

  const every = Math.ceil(n / MAX_CATEGORY_LABELS);
  const categoryLabels = chart.categories.map((c, i) =>
    i % every === 0 ? html`<text x="${round(xCenter(i))}" y="${HEIGHT - 8}" font-size="13" text-anchor="middle" fill="#5b6472">${c}</text>` : "",
  );

  const bars = chart.categories.map((category, i) => {
    let base = 0;
    return chart.series.map((s) => {
      const value = s.values[i] ?? 0;
      if (value <= 0) return "";
      const from = y(base, top);
      base += value;
      const to = y(base, top);
      return html`<rect x="${round(xCenter(i) - barWidth / 2)}" y="${round(to)}" width="${round(barWidth)}" height="${round(Math.max(from - to, 0.5))}" fill="${s.color}"><title>${category}: ${s.name} ${s.labels?.[i] ?? chart.format(value)}</title></rect>`;
    });
  });

  const line = chart.line ? lineOverBars(chart.line, chart.categories, xCenter, (v) => y(v, chart.line!.max)) : "";
  const legend = [...chart.series.map((s) => ({ name: s.name, color: s.color })), ...(chart.line ? [{ name: chart.line.name, color: chart.line.color }] : [])];
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${chart.title}" preserveAspectRatio="xMidYMid meet"><title>${chart.title}</title>${grid}${bars}${line}${categoryLabels}</svg>
<figcaption>${legend.map((l) => html`<span class="key"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${l.color}"/></svg> ${l.name}</span>`)}</figcaption>
</figure>`;
}

function lineOverBars(line: Line, categories: string[], x: (i: number) => number, y: (v: number) => number): SafeHtml {
  const points = line.values.map((v, i) => (v === null ? null : { x: round(x(i)), y: round(y(v)), label: `${categories[i]}: ${line.name} ${line.format(v)}` }));
  // Consecutive points are joined; a gap (no value) breaks the line.
  const runs: { x: number; y: number }[][] = [];
  points.forEach((p, i) => {
    if (p === null) return;
    if (i > 0 && points[i - 1] !== null) runs[runs.length - 1]!.push(p);
    else runs.push([p]);
  });
  return html`${runs.map((run) => (run.length > 1 ? html`<polyline points="${run.map((p) => `${p.x},${p.y}`).join(" ")}" fill="none" stroke="${line.color}" stroke-width="2"/>` : ""))}${points.map((p) =>
    p === null ? "" : html`<circle cx="${p.x}" cy="${p.y}" r="3" fill="${line.color}"><title>${p.label}</title></circle>`,
  )}`;
}
