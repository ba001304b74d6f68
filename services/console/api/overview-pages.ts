import { timestampDate } from "@bufbuild/protobuf/wkt";
import { StatsPeriod, type PaymentStatsBucket } from "../../../gen/payment/v1/payment_pb.js";
import { minorUnitDigits } from "../../lib/money.js";
import { attempt, describeFailure, type ConsoleClients } from "../adapters/clients.js";
import { barChart, wholeNumber } from "../views/charts.js";
import { moneyAxis, moneySeries } from "../views/money-chart.js";
import { latestRunPerDay, RECONCILIATION_CHART_DAYS, reconciliationChart } from "../views/reconciliation-chart.js";
import { redirect, type Route } from "./http-app.js";
import { html, notice, type SafeHtml } from "../views/html.js";

interface ChartRange {
  label: string;
  period: StatsPeriod;
  periods: number;
  /** The axis label of a period's start (UTC). */
  category(start: Date): string;
}

const RANGES: Record<string, ChartRange> = {
  "24h": { label: "Last 24 hours, per hour", period: StatsPeriod.HOUR, periods: 24, category: (d) => `${d.toISOString().slice(11, 13)}:00` },
  "30d": { label: "Last 30 days, per day", period: StatsPeriod.DAY, periods: 30, category: (d) => d.toISOString().slice(5, 10) },
};
const DEFAULT_RANGE = "24h";
/** How many runs the reconciliation chart reads to find its days. */
const RUNS_READ = 100;

const COLORS = { succeeded: "#2e8b57", failed: "#c0392b", other: "#aab2bd", rate: "#2453c4", volume: "#2453c4" };
const percent = (n: number) => `${Math.round(n)}%`;

function paymentCharts(buckets: PaymentStatsBucket[], range: ChartRange): SafeHtml {
  const categories = buckets.map((b) => range.category(timestampDate(b.start!)));
  const succeeded = buckets.map((b) => Number(b.succeeded));
  const failed = buckets.map((b) => Number(b.failed));
  const other = buckets.map((b) => Number(b.created - b.succeeded - b.failed));
  const rate = buckets.map((b) => (b.succeeded + b.failed === 0n ? null : (Number(b.succeeded) / Number(b.succeeded + b.failed)) * 100));
  const counts = barChart({
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
  const currencies = [...new Set(buckets.flatMap((b) => b.charged.map((m) => m.currency)))].sort();
  const volumes = currencies.map((currency) => {
    const amounts = buckets.map((b) => b.charged.find((m) => m.currency === currency)?.amountMinor ?? 0n);
    return barChart({
      title: `Charged in ${currency}, ${range.label.toLowerCase()}`,
      categories,
      series: [{ name: `charged ${currency}`, color: COLORS.volume, ...moneySeries(amounts, currency) }],
      format: moneyAxis(currency),
      integer: minorUnitDigits(currency) === 0,
    });
  });
  const total = (field: "created" | "succeeded" | "failed") => buckets.reduce((sum, b) => sum + b[field], 0n);
  const created = total("created");
  return html`<p class="summary">${created} ${created === 1n ? "payment" : "payments"} created: ${total("succeeded")} charged, ${total("failed")} failed.</p>
<h2>Payments and success rate</h2>${counts}
<h2>Payment volume</h2>${volumes.length === 0 ? html`<p class="empty">Nothing was charged in this range.</p>` : volumes}`;
}

export function overviewRoutes(clients: ConsoleClients): Route[] {
  return [
    { method: "GET", pattern: /^\/$/, handle: async () => redirect("/overview") },
    {
      method: "GET",
      pattern: /^\/overview$/,
      handle: async (ctx) => {
        const rangeKey = ctx.url.searchParams.get("range") ?? DEFAULT_RANGE;
        const range = RANGES[rangeKey];
        if (range === undefined) return ctx.page("Overview", notice("error", `There is no range "${rangeKey}"; use ${Object.keys(RANGES).join(" or ")}.`), 400);
        const [stats, runs] = await Promise.all([
          attempt(() => clients.payments.getPaymentStats({ period: range.period, periods: range.periods })),
          attempt(() => clients.reconciliation.listRuns({ pageSize: RUNS_READ })),
        ]);
        const ranges = html`<nav class="ranges">${Object.entries(RANGES).map(([key, r]) =>
          key === rangeKey ? html`<strong>${r.label}</strong>` : html`<a href="/overview?range=${key}">${r.label}</a>`,
        )}</nav>`;
        return ctx.page(
          "Overview",
          html`${ranges}
${ctx.operator.role === "finance" ? html`<p><a href="/revenue">Revenue and forecast</a>: what the books say the platform earned, per currency, and what it will likely earn.</p>` : ""}
${stats.ok ? paymentCharts(stats.value.buckets, range) : notice("error", describeFailure("payment service", stats.error))}
<h2>Reconciliation, last ${RECONCILIATION_CHART_DAYS} settlement days</h2>
${runs.ok ? reconciliationChart(latestRunPerDay(runs.value.runs, RECONCILIATION_CHART_DAYS)) : notice("error", describeFailure("reconciliation service", runs.error))}`,
        );
      },
    },
  ];
}
