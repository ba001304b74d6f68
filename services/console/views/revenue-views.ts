import {
  RevenueGranularity,
  type ForecastRevenueResponse,
  type RevenuePeriod,
} from "../../../gen/ledger/v1/ledger_pb.js";
import { formatDecimal, formatMoney, minorUnitDigits } from "../../lib/money.js";
import type { Outcome } from "./outcome.js";
import { barChart } from "./charts.js";
import { csv } from "./csv.js";
import { html, query, table, type SafeHtml } from "./html.js";
import { moneyAxis, moneySeries } from "./money-chart.js";
import { forecastView } from "./revenue-forecast-view.js";

export const GRANULARITIES: Record<string, RevenueGranularity> = {
  day: RevenueGranularity.DAY,
  week: RevenueGranularity.WEEK,
  month: RevenueGranularity.MONTH,
};

/** Every figure of a period, in the order of the table and the CSV: the ledger README's Revenue section says what each is. */
const FIGURES = [
  ["gross charged", "gross_charged", "grossChargedMinor"],
  ["platform fee revenue", "platform_fee_revenue", "platformFeeRevenueMinor"],
  ["fees reversed", "fees_reversed", "feesReversedMinor"],
  ["refunds", "refunds", "refundsMinor"],
  ["disputes lost", "disputes_lost", "disputesLostMinor"],
  ["PSP fees", "psp_fees", "pspFeesMinor"],
  ["reconciliation differences", "reconciliation_differences", "reconciliationDifferencesMinor"],
  ["net revenue", "net_revenue", "netRevenueMinor"],
] as const satisfies readonly (readonly [string, string, keyof RevenuePeriod])[];

/** The revenue page's fields, as the address gives them (the defaults filled in). */
export interface RevenueForm {
  from: string;
  to: string;
  granularity: string;
  currency: string;
}

export const revenueFormHtml = (f: RevenueForm): SafeHtml => html`<form class="inline" method="get" action="/revenue">
<label>From <input type="date" name="from" value="${f.from}"></label>
<label>To <input type="date" name="to" value="${f.to}"></label>
<label>Granularity <select name="granularity">${Object.keys(GRANULARITIES).map((g) => html`<option value="${g}"${g === f.granularity ? html` selected` : ""}>${g}</option>`)}</select></label>
<label>Currency <input name="currency" value="${f.currency}" placeholder="all" size="5" maxlength="3"></label>
<button type="submit">Show</button></form>`;

const byCurrency = (periods: readonly RevenuePeriod[]): Map<string, RevenuePeriod[]> =>
  periods.reduce((m, p) => m.set(p.currency, [...(m.get(p.currency) ?? []), p]), new Map<string, RevenuePeriod[]>());

/** The currencies the periods are in, in the order the page shows them. */
export const currenciesOf = (periods: readonly RevenuePeriod[]): string[] => [...byCurrency(periods).keys()];

function periodCharts(currency: string, periods: readonly RevenuePeriod[], granularity: string): SafeHtml {
  const chart = (label: string, field: "grossChargedMinor" | "netRevenueMinor", color: string) =>
    barChart({
      title: `${label} in ${currency}, per ${granularity}`,
      categories: periods.map((p) => p.period),
      series: [
        {
          name: `${label.toLowerCase()} ${currency}`,
          color,
          ...moneySeries(
            periods.map((p) => p[field]),
            currency,
          ),
        },
      ],
      format: moneyAxis(currency),
      integer: minorUnitDigits(currency) === 0,
    });
  const negative = periods.some((p) => p.netRevenueMinor < 0n)
    ? html`<p class="empty">Periods with a negative net revenue have no bar: the table has their figures.</p>`
    : "";
  return html`<h3>${currency}</h3>${chart("Gross charged", "grossChargedMinor", "#2e8b57")}${chart("Net revenue", "netRevenueMinor", "#2453c4")}${negative}`;
}

function periodTable(periods: readonly RevenuePeriod[]): SafeHtml {
  const rows = periods.map(
    (p) =>
      html`<tr data-currency="${p.currency}" data-period="${p.period}"><td>${p.currency}</td><td>${p.period}</td><td>${p.firstDay}</td><td>${p.lastDay}</td>${FIGURES.map(
        ([, , field]) => html`<td class="num">${formatMoney({ amountMinor: p[field], currency: p.currency })}</td>`,
      )}</tr>`,
  );
  return table(
    ["currency", "period", "first day", "last day", ...FIGURES.map(([label]) => label)],
    rows,
    "Nothing was booked in this range.",
  );
}

/** The table's rows, amounts as exact decimals of their currency, for finance's spreadsheets. */
export const periodsCsv = (periods: readonly RevenuePeriod[]): string =>
  csv([
    ["currency", "period", "first_day", "last_day", ...FIGURES.map(([, column]) => column)],
    ...periods.map((p) => [
      p.currency,
      p.period,
      p.firstDay,
      p.lastDay,
      ...FIGURES.map(([, , field]) => formatDecimal({ amountMinor: p[field], currency: p.currency })),
    ]),
  ]);

/** One currency's forecasts: what ForecastRevenue answered for each horizon. */
export interface CurrencyForecasts {
  currency: string;
  horizons: { horizonDays: number; asked: Outcome<ForecastRevenueResponse> }[];
}

const forecastSection = ({ currency, horizons }: CurrencyForecasts): SafeHtml =>
  html`<section class="forecast" data-currency="${currency}"><h3>${currency}</h3>${horizons.map(({ horizonDays, asked }) => forecastView(currency, horizonDays, asked))}</section>`;

/** The form, the periods per currency as charts and as a table (and its CSV), then each currency's forecasts. */
export function revenue(
  form: RevenueForm,
  periods: readonly RevenuePeriod[],
  forecasts: readonly CurrencyForecasts[],
): SafeHtml {
  return html`${revenueFormHtml(form)}
<p>From the ledger's entries (UTC days; weeks are ISO weeks): what each figure means is in the ledger README, Revenue. <a href="/revenue.csv${query({ ...form })}">Download these periods (CSV)</a></p>
<h2>Periods</h2>${[...byCurrency(periods)].map(([currency, rows]) => periodCharts(currency, rows, form.granularity))}
<h2>Figures</h2>${periodTable(periods)}
<h2>Forecast</h2>
<p>Holt-Winters additive with a weekly season, from each currency's daily history up to yesterday; the bands are 80% and 95% prediction intervals, and the backtest is the same method forecasting the last 4 weeks from the days before them.</p>
${forecasts.length === 0 ? html`<p class="empty">No currency in this range to forecast.</p>` : forecasts.map(forecastSection)}`;
}
