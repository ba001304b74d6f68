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
  return (
    ROUND_STEPS.map((s) => Number((s * magnitude).toPrecision(12))).find(
      (v) => v >= max && (!whole || Number.isInteger(v)),
    ) ?? 10 * magnitude
  );
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

  const grid = valueGrid(
    0,
    top,
    (v) => y(v, top),
    chart.format,
    right,
    chart.line ? { ...chart.line, at: (k) => (chart.line!.max / TICKS) * k } : undefined,
  );
  const categoryLabels = categoryAxis(chart.categories, xCenter);

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
  const legend = [
    ...chart.series.map((s) => ({ name: s.name, color: s.color })),
    ...(chart.line ? [{ name: chart.line.name, color: chart.line.color }] : []),
  ];
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${chart.title}" preserveAspectRatio="xMidYMid meet"><title>${chart.title}</title>${grid}${bars}${line}${categoryLabels}</svg>
${legendOf(legend)}
</figure>`;
}

/** The horizontal grid lines from `bottom` to `top` with their values on the left (and a second scale's on the right). */
function valueGrid(
  bottom: number,
  top: number,
  y: (value: number) => number,
  format: (value: number) => string,
  right: number,
  second?: { color: string; format(value: number): string; at(tick: number): number },
): SafeHtml[] {
  return Array.from({ length: TICKS + 1 }, (_, k) => {
    const value = bottom + ((top - bottom) / TICKS) * k;
    const at = round(y(value));
    const rightLabel = second
      ? html`<text x="${WIDTH - right + 6}" y="${at + 4}" font-size="13" fill="${second.color}">${second.format(second.at(k))}</text>`
      : "";
    return html`<line x1="${LEFT}" x2="${WIDTH - right}" y1="${at}" y2="${at}" stroke="#e3e6eb"/><text x="${LEFT - 6}" y="${at + 4}" font-size="13" text-anchor="end" fill="#5b6472">${format(value)}</text>${rightLabel}`;
  });
}

/** At most MAX_CATEGORY_LABELS of the categories, evenly spaced, under the plot. */
function categoryAxis(categories: readonly string[], x: (i: number) => number): (SafeHtml | "")[] {
  const every = Math.ceil(categories.length / MAX_CATEGORY_LABELS);
  return categories.map((c, i) =>
    i % every === 0
      ? html`<text x="${round(x(i))}" y="${HEIGHT - 8}" font-size="13" text-anchor="middle" fill="#5b6472">${c}</text>`
      : "",
  );
}

const legendOf = (keys: readonly { name: string; color: string; opacity?: number }[]): SafeHtml =>
  html`<figcaption>${keys.map((l) => html`<span class="key"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${l.color}" fill-opacity="${l.opacity ?? 1}"/></svg> ${l.name}</span>`)}</figcaption>`;

function lineOverBars(line: Line, categories: string[], x: (i: number) => number, y: (v: number) => number): SafeHtml {
  const points = line.values.map((v, i) =>
    v === null ? null : { x: round(x(i)), y: round(y(v)), label: `${categories[i]}: ${line.name} ${line.format(v)}` },
  );
  // Consecutive points are joined; a gap (no value) breaks the line.
  const runs: { x: number; y: number }[][] = [];
  points.forEach((p, i) => {
    if (p === null) return;
    if (i > 0 && points[i - 1] !== null) runs[runs.length - 1]!.push(p);
    else runs.push([p]);
  });
  return html`${runs.map((run) => (run.length > 1 ? html`<polyline points="${run.map((p) => `${p.x},${p.y}`).join(" ")}" fill="none" stroke="${line.color}" stroke-width="2"/>` : ""))}${points.map(
    (p) =>
      p === null
        ? ""
        : html`<circle cx="${p.x}" cy="${p.y}" r="3" fill="${line.color}"><title>${p.label}</title></circle>`,
  )}`;
}

/** A range around the line, e.g. a prediction interval: one value of each per category. */
export interface Band {
  name: string;
  color: string;
  low: number[];
  high: number[];
}

export interface BandChart {
  /** Read out by screen readers, and the SVG's title. */
  title: string;
  /** One per point, e.g. the day. */
  categories: string[];
  /** `labels` (one per value) replace the formatted value in tooltips. */
  line: { name: string; color: string; values: number[]; labels?: string[] };
  /** Drawn in the order given over each other, translucent: the widest first. */
  bands: Band[];
  format(value: number): string;
}

const BAND_OPACITY = 0.25;

/** A round bottom for the axis: 0, or below the lowest value when some are negative. */
const axisBottom = (min: number): number => (min >= 0 ? 0 : -axisTop(-min));

/**
 * A line inside its bands (e.g. a forecast with its 80% and 95% intervals) as inline SVG, like barChart: the axis
 * goes below zero when a value or band does, a tooltip on every point and band.
 */
export function bandChart(chart: BandChart): SafeHtml {
  const right = 12;
  const plotWidth = WIDTH - LEFT - right;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const all = [...chart.line.values, ...chart.bands.flatMap((b) => [...b.low, ...b.high])];
  const bottom = axisBottom(Math.min(0, ...all));
  const max = Math.max(0, ...all);
  const top = max <= 0 && bottom < 0 ? 0 : axisTop(max);
  const slot = plotWidth / Math.max(chart.categories.length, 1);
  const x = (i: number) => round(LEFT + slot * i + slot / 2);
  const y = (value: number) => round(TOP + plotHeight - ((value - bottom) / (top - bottom)) * plotHeight);

  const bands = chart.bands.map((band) => {
    const upper = band.high.map((v, i) => `${x(i)},${y(v)}`);
    const lower = band.low.map((v, i) => `${x(i)},${y(v)}`).reverse();
    return html`<polygon class="band" points="${[...upper, ...lower].join(" ")}" fill="${band.color}" fill-opacity="${BAND_OPACITY}" stroke="none"><title>${band.name}</title></polygon>`;
  });
  const { line } = chart;
  const points = line.values.map(
    (v, i) =>
      html`<circle cx="${x(i)}" cy="${y(v)}" r="2" fill="${line.color}"><title>${chart.categories[i]}: ${line.name} ${line.labels?.[i] ?? chart.format(v)}</title></circle>`,
  );
  const polyline = html`<polyline points="${line.values.map((v, i) => `${x(i)},${y(v)}`).join(" ")}" fill="none" stroke="${line.color}" stroke-width="2"/>`;
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${chart.title}" preserveAspectRatio="xMidYMid meet"><title>${chart.title}</title>${valueGrid(bottom, top, y, chart.format, right)}${bands}${polyline}${points}${categoryAxis(chart.categories, x)}</svg>
${legendOf([...chart.bands.map((b) => ({ name: b.name, color: b.color, opacity: BAND_OPACITY })), { name: line.name, color: line.color }])}
</figure>`;
}
