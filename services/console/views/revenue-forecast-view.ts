import type { ForecastRevenueResponse, MeasureForecast } from "../../../gen/ledger/v1/ledger_pb.js";
import { formatMoney } from "../../lib/money.js";
import { describeFailure, type Outcome } from "./outcome.js";
import { bandChart } from "./charts.js";
import { html, notice, type SafeHtml } from "./html.js";
import { majorUnits, moneyAxis, moneySeries } from "./money-chart.js";

/** The horizons the revenue page forecasts, in days. */
export const FORECAST_HORIZONS = [30, 90] as const;

const COLORS = { line: "#2453c4", band: "#2453c4" };
const MEASURES = [
  { key: "netRevenue", name: "Net revenue" },
  { key: "grossCharged", name: "Gross charged" },
] as const;

const percent = (fraction: number | undefined) => (fraction === undefined ? "n/a" : `${(fraction * 100).toFixed(1)}%`);

function measureView(name: string, currency: string, horizonDays: number, f: MeasureForecast): SafeHtml {
  const amount = (amountMinor: bigint) => formatMoney({ amountMinor, currency });
  const range = (i: { lowMinor: bigint; highMinor: bigint } | undefined) =>
    i ? `${amount(i.lowMinor)} to ${amount(i.highMinor)}` : "-";
  const { method, total, backtest } = f;
  const chart = bandChart({
    title: `${name} forecast in ${currency}, next ${horizonDays} days`,
    categories: f.points.map((p) => p.day.slice(5)),
    line: {
      name: "forecast",
      color: COLORS.line,
      ...moneySeries(
        f.points.map((p) => p.forecastMinor),
        currency,
      ),
    },
    bands: [
      { name: "95% interval", color: COLORS.band, ...bandOf(f, "interval95", currency) },
      { name: "80% interval", color: COLORS.band, ...bandOf(f, "interval80", currency) },
    ],
    format: moneyAxis(currency),
  });
  const outliers = method?.outlierDays.length
    ? html` Left out of the fit as outliers: ${method.outlierDays.join(", ")}.`
    : "";
  return html`<h5>${name}</h5>${chart}
<p class="forecast-total">Next ${horizonDays} days: <strong>${amount(total?.forecastMinor ?? 0n)}</strong> (80% interval ${range(total?.interval80)}; 95% interval ${range(total?.interval95)}).</p>
<p class="backtest">Backtest on the last ${backtest?.holdoutDays ?? 0} days held out: MAPE ${percent(backtest?.mape)}, WAPE ${percent(backtest?.wape)}; ${percent(backtest?.coverage80)} of the days within the 80% interval, ${percent(backtest?.coverage95)} within the 95% interval.</p>
<p class="method">Holt-Winters additive, weekly season, fitted on ${method?.fittedDays ?? 0} days: alpha ${method?.alpha.toFixed(2)}, beta ${method?.beta.toFixed(2)}, gamma ${method?.gamma.toFixed(2)}.${outliers}</p>`;
}

function bandOf(f: MeasureForecast, interval: "interval80" | "interval95", currency: string) {
  const major = (pick: "lowMinor" | "highMinor") =>
    f.points.map((p) => majorUnits(p[interval]?.[pick] ?? p.forecastMinor, currency));
  return { low: major("lowMinor"), high: major("highMinor") };
}

/** One horizon's forecast of one currency: both measures, or the ledger's sentence saying why there is none. */
export function forecastView(currency: string, horizonDays: number, asked: Outcome<ForecastRevenueResponse>): SafeHtml {
  const heading = html`<h4>Next ${horizonDays} days</h4>`;
  if (!asked.ok) return html`${heading}${notice("error", describeFailure("ledger service", asked.error))}`;
  const answer = asked.value;
  const { result } = answer;
  if (result.case === "notEnoughHistory")
    return html`${heading}${notice("info", `No forecast for ${currency}: ${result.value.message}.`)}`;
  if (result.case !== "forecasts")
    return html`${heading}${notice("error", `The ledger service gave no forecast for ${currency}.`)}`;
  const forecasts = result.value;
  return html`${heading}<p>From the ${currency} history of ${answer.historyFirstDay} to ${answer.historyLastDay} (UTC).</p>${MEASURES.map(
    ({ key, name }) => {
      const measure = forecasts[key];
      return measure ? measureView(name, currency, horizonDays, measure) : "";
    },
  )}`;
}
