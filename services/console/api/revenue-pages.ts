import { RevenueGranularity, type RevenuePeriod } from "../../../gen/ledger/v1/ledger_pb.js";
import { formatDecimal, formatMoney, minorUnitDigits } from "../../lib/money.js";
import { addDays } from "../../lib/forecast/daily-series.js";
import { isUtcDay } from "../../lib/utc-day.js";
import { attempt, describeFailure, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { barChart } from "../views/charts.js";
import { csv } from "../views/csv.js";
import type { RequestContext, Route } from "./http-app.js";
import { html, notice, query, table, type SafeHtml } from "../views/html.js";
import { moneyAxis, moneySeries } from "../views/money-chart.js";
import { FORECAST_HORIZONS, forecastView } from "../views/revenue-forecast-view.js";

const GRANULARITIES: Record<string, RevenueGranularity> = { day: RevenueGranularity.DAY, week: RevenueGranularity.WEEK, month: RevenueGranularity.MONTH };
/** The range shown when none is asked for: the last 30 days, today included. */
const DEFAULT_DAYS = 30;
/** Far longer than any valid field; the ledger says what is wrong with the rest. */
const MAX_PARAM_LENGTH = 32;

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

interface RevenueForm {
  from: string;
  to: string;
  granularity: string;
  currency: string;
}

/** The form's fields from the address, the defaults for those left out; a problem for a field no range could have. */
function revenueForm(url: URL): { form: RevenueForm; problem?: string } {
  const today = new Date().toISOString().slice(0, 10);
  const param = (name: string) => (url.searchParams.get(name) ?? "").trim();
  const to = param("to") || today;
  const form = {
    to,
    // Before a `to` that is no day, the ledger's refusal of it says more than a second one would.
    from: param("from") || addDays(isUtcDay(to) ? to : today, 1 - DEFAULT_DAYS),
    granularity: param("granularity") || "day",
    currency: param("currency").toUpperCase(),
  };
  const long = Object.entries(form).find(([, value]) => value.length > MAX_PARAM_LENGTH);
  if (long) return { form: { ...form, [long[0]]: "" }, problem: `${long[0]}: at most ${MAX_PARAM_LENGTH} characters.` };
  if (GRANULARITIES[form.granularity] === undefined) return { form, problem: `granularity: one of ${Object.keys(GRANULARITIES).join(", ")}, got "${form.granularity}".` };
  return { form };
}

const formHtml = (f: RevenueForm): SafeHtml => html`<form class="inline" method="get" action="/revenue">
<label>From <input type="date" name="from" value="${f.from}"></label>
<label>To <input type="date" name="to" value="${f.to}"></label>
<label>Granularity <select name="granularity">${Object.keys(GRANULARITIES).map((g) => html`<option value="${g}"${g === f.granularity ? html` selected` : ""}>${g}</option>`)}</select></label>
<label>Currency <input name="currency" value="${f.currency}" placeholder="all" size="5" maxlength="3"></label>
<button type="submit">Show</button></form>`;

/** GetRevenue of the form's range: the periods, or the ledger's refusal (a bad date, range or currency) as a value. */
function periodsOf(clients: ConsoleClients, f: RevenueForm) {
  return attempt(async () => (await clients.ledger.getRevenue({ fromDay: f.from, toDay: f.to, granularity: GRANULARITIES[f.granularity]!, currency: f.currency })).periods);
}

const byCurrency = (periods: readonly RevenuePeriod[]): Map<string, RevenuePeriod[]> =>
  periods.reduce((m, p) => m.set(p.currency, [...(m.get(p.currency) ?? []), p]), new Map<string, RevenuePeriod[]>());

function periodCharts(currency: string, periods: readonly RevenuePeriod[], granularity: string): SafeHtml {
  const chart = (label: string, field: "grossChargedMinor" | "netRevenueMinor", color: string) =>
    barChart({
      title: `${label} in ${currency}, per ${granularity}`,
      categories: periods.map((p) => p.period),
      series: [{ name: `${label.toLowerCase()} ${currency}`, color, ...moneySeries(periods.map((p) => p[field]), currency) }],
      format: moneyAxis(currency),
      integer: minorUnitDigits(currency) === 0,
    });
  const negative = periods.some((p) => p.netRevenueMinor < 0n) ? html`<p class="empty">Periods with a negative net revenue have no bar: the table has their figures.</p>` : "";
  return html`<h3>${currency}</h3>${chart("Gross charged", "grossChargedMinor", "#2e8b57")}${chart("Net revenue", "netRevenueMinor", "#2453c4")}${negative}`;
}

function periodTable(periods: readonly RevenuePeriod[]): SafeHtml {
  const rows = periods.map(
    (p) =>
      html`<tr data-currency="${p.currency}" data-period="${p.period}"><td>${p.currency}</td><td>${p.period}</td><td>${p.firstDay}</td><td>${p.lastDay}</td>${FIGURES.map(
        ([, , field]) => html`<td class="num">${formatMoney({ amountMinor: p[field], currency: p.currency })}</td>`,
      )}</tr>`,
  );
  return table(["currency", "period", "first day", "last day", ...FIGURES.map(([label]) => label)], rows, "Nothing was booked in this range.");
}

/** The table's rows, amounts as exact decimals of their currency, for finance's spreadsheets. */
const periodsCsv = (periods: readonly RevenuePeriod[]): string =>
  csv([
    ["currency", "period", "first_day", "last_day", ...FIGURES.map(([, column]) => column)],
    ...periods.map((p) => [p.currency, p.period, p.firstDay, p.lastDay, ...FIGURES.map(([, , field]) => formatDecimal({ amountMinor: p[field], currency: p.currency }))]),
  ]);

async function forecastsOf(clients: ConsoleClients, currencies: readonly string[]): Promise<SafeHtml[]> {
  return Promise.all(
    currencies.map(async (currency) => {
      const views = await Promise.all(
        FORECAST_HORIZONS.map(async (horizonDays) => forecastView(currency, horizonDays, await attempt(() => clients.ledger.forecastRevenue({ currency, horizonDays })))),
      );
      return html`<section class="forecast" data-currency="${currency}"><h3>${currency}</h3>${views}</section>`;
    }),
  );
}

async function revenuePage(clients: ConsoleClients, ctx: RequestContext) {
  const { form, problem } = revenueForm(ctx.url);
  const title = "Revenue";
  if (problem) return ctx.page(title, html`${formHtml(form)}${notice("error", `Refused: ${problem}`)}`, 400);
  const periods = await periodsOf(clients, form);
  if (!periods.ok) return ctx.page(title, html`${formHtml(form)}${notice("error", describeFailure("ledger service", periods.error))}`, httpStatusOf(periods.error));
  const currencies = byCurrency(periods.value);
  const forecasts = await forecastsOf(clients, [...currencies.keys()]);
  return ctx.page(
    title,
    html`${formHtml(form)}
<p>From the ledger's entries (UTC days; weeks are ISO weeks): what each figure means is in the ledger README, Revenue. <a href="/revenue.csv${query({ ...form })}">Download these periods (CSV)</a></p>
<h2>Periods</h2>${[...currencies].map(([currency, rows]) => periodCharts(currency, rows, form.granularity))}
<h2>Figures</h2>${periodTable(periods.value)}
<h2>Forecast</h2>
<p>Holt-Winters additive with a weekly season, from each currency's daily history up to yesterday; the bands are 80% and 95% prediction intervals, and the backtest is the same method forecasting the last 4 weeks from the days before them.</p>
${forecasts.length === 0 ? html`<p class="empty">No currency in this range to forecast.</p>` : forecasts}`,
  );
}

export function revenueRoutes(clients: ConsoleClients): Route[] {
  return [
    { method: "GET", pattern: /^\/revenue$/, role: "finance", handle: (ctx) => revenuePage(clients, ctx) },
    {
      method: "GET",
      pattern: /^\/revenue\.csv$/,
      role: "finance",
      handle: async (ctx) => {
        const { form, problem } = revenueForm(ctx.url);
        if (problem) return ctx.page("Revenue", notice("error", `Refused: ${problem}`), 400);
        const periods = await periodsOf(clients, form);
        if (!periods.ok) return ctx.page("Revenue", notice("error", describeFailure("ledger service", periods.error)), httpStatusOf(periods.error));
        return { status: 200, body: periodsCsv(periods.value), contentType: "text/csv; charset=utf-8", filename: `revenue-${form.from}-${form.to}-${form.granularity}.csv` };
      },
    },
  ];
}
