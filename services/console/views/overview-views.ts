import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  StatsPeriod,
  type GetPaymentStatsResponse,
  type PaymentStatsBucket,
} from "../../../gen/payment/v1/payment_pb.js";
import { minorUnitDigits } from "../../lib/money.js";
import type { ListRunsResponse } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { describeFailure, type Outcome } from "./outcome.js";
import type { Operator } from "../domain/operators.js";
import { barChart, wholeNumber } from "./charts.js";
import { html, notice, type SafeHtml } from "./html.js";
import { moneyAxis, moneySeries } from "./money-chart.js";
import { latestRunPerDay, RECONCILIATION_CHART_DAYS, reconciliationChart } from "./reconciliation-chart.js";

export interface ChartRange {
  label: string;
  period: StatsPeriod;
  periods: number;
  /** The axis label of a period's start (UTC). */
  category(start: Date): string;
}

/** The overview's ranges by their key in the address. */
export const RANGES: Record<string, ChartRange> = {
  "24h": {
    label: "Last 24 hours, per hour",
    period: StatsPeriod.HOUR,
    periods: 24,
    category: (d) => `${d.toISOString().slice(11, 13)}:00`,
  },
  "30d": {
    label: "Last 30 days, per day",
    period: StatsPeriod.DAY,
    periods: 30,
    category: (d) => d.toISOString().slice(5, 10),
  },
};
export const DEFAULT_RANGE = "24h";

const COLORS = { succeeded: "#2e8b57", failed: "#c0392b", other: "#aab2bd", rate: "#2453c4", volume: "#2453c4" };
const percent = (n: number) => `${Math.round(n)}%`;

/** Payments created per period, stacked by outcome, with the success rate (charged of those finished) as a line. */
function countsChart(buckets: PaymentStatsBucket[], range: ChartRange, categories: string[]): SafeHtml {
  const succeeded = buckets.map((b) => Number(b.succeeded));
  const failed = buckets.map((b) => Number(b.failed));
  const other = buckets.map((b) => Number(b.created - b.succeeded - b.failed));
  const rate = buckets.map((b) =>
    b.succeeded + b.failed === 0n ? null : (Number(b.succeeded) / Number(b.succeeded + b.failed)) * 100,
  );
  return barChart({
    title: `Payments created, ${range.label.toLowerCase()}, and their success rate`,
    categories,
    series: [
      { name: "charged", color: COLORS.succeeded, values: succeeded },
      { name: "failed", color: COLORS.failed, values: failed },
      { name: "in flight or voided", color: COLORS.other, values: other },
    ],
    format: wholeNumber,
    integer: true,
    line: { name: "success rate (charged of finished)", color: COLORS.rate, values: rate, max: 100, format: percent },
  });
}

/** The amount charged per period, one chart per currency (never added across currencies). */
function volumeCharts(buckets: PaymentStatsBucket[], range: ChartRange, categories: string[]): SafeHtml[] {
  const currencies = [...new Set(buckets.flatMap((b) => b.charged.map((m) => m.currency)))].sort();
  return currencies.map((currency) => {
    const amounts = buckets.map((b) => b.charged.find((m) => m.currency === currency)?.amountMinor ?? 0n);
    return barChart({
      title: `Charged in ${currency}, ${range.label.toLowerCase()}`,
      categories,
      series: [{ name: `charged ${currency}`, color: COLORS.volume, ...moneySeries(amounts, currency) }],
      format: moneyAxis(currency),
      integer: minorUnitDigits(currency) === 0,
    });
  });
}

function paymentCharts(buckets: PaymentStatsBucket[], range: ChartRange): SafeHtml {
  const categories = buckets.map((b) => range.category(timestampDate(b.start!)));
  const volumes = volumeCharts(buckets, range, categories);
  const total = (field: "created" | "succeeded" | "failed") => buckets.reduce((sum, b) => sum + b[field], 0n);
  const created = total("created");
  return html`<p class="summary">${created} ${created === 1n ? "payment" : "payments"} created: ${total("succeeded")} charged, ${total("failed")} failed.</p>
<h2>Payments and success rate</h2>${countsChart(buckets, range, categories)}
<h2>Payment volume</h2>${volumes.length === 0 ? html`<p class="empty">Nothing was charged in this range.</p>` : volumes}`;
}

export interface OverviewView {
  rangeKey: string;
  range: ChartRange;
  stats: Outcome<GetPaymentStatsResponse>;
  runs: Outcome<ListRunsResponse>;
  /** Finance gets a link to the revenue page. */
  operator: Operator;
}

/** The ranges, the payment charts of the chosen one and the reconciliation chart, each or the failure of its service. */
export function overview(v: OverviewView): SafeHtml {
  const ranges = html`<nav class="ranges">${Object.entries(RANGES).map(([key, r]) =>
    key === v.rangeKey ? html`<strong>${r.label}</strong>` : html`<a href="/overview?range=${key}">${r.label}</a>`,
  )}</nav>`;
  return html`${ranges}
${v.operator.role === "finance" ? html`<p><a href="/revenue">Revenue and forecast</a>: what the books say the platform earned, per currency, and what it will likely earn.</p>` : ""}
${v.stats.ok ? paymentCharts(v.stats.value.buckets, v.range) : notice("error", describeFailure("payment service", v.stats.error))}
<h2>Reconciliation, last ${RECONCILIATION_CHART_DAYS} settlement days</h2>
${v.runs.ok ? reconciliationChart(latestRunPerDay(v.runs.value.runs, RECONCILIATION_CHART_DAYS)) : notice("error", describeFailure("reconciliation service", v.runs.error))}`;
}
