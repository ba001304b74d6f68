import { addDays } from "../../lib/forecast/daily-series.js";
import { isUtcDay } from "../../lib/utc-day.js";
import { attempt, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import type { RequestContext, Route } from "./http-app.js";
import { concat, notice } from "../views/html.js";
import { FORECAST_HORIZONS } from "../views/revenue-forecast-view.js";
import {
  currenciesOf,
  GRANULARITIES,
  periodsCsv,
  revenue,
  revenueFormHtml,
  type CurrencyForecasts,
  type RevenueForm,
} from "../views/revenue-views.js";

/** The range shown when none is asked for: the last 30 days, today included. */
const DEFAULT_DAYS = 30;
/** Far longer than any valid field; the ledger says what is wrong with the rest. */
const MAX_PARAM_LENGTH = 32;

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
  if (GRANULARITIES[form.granularity] === undefined)
    return {
      form,
      problem: `granularity: one of ${Object.keys(GRANULARITIES).join(", ")}, got "${form.granularity}".`,
    };
  return { form };
}

/** GetRevenue of the form's range: the periods, or the ledger's refusal (a bad date, range or currency) as a value. */
function periodsOf(clients: ConsoleClients, f: RevenueForm) {
  return attempt(
    async () =>
      (
        await clients.ledger.getRevenue({
          fromDay: f.from,
          toDay: f.to,
          granularity: GRANULARITIES[f.granularity]!,
          currency: f.currency,
        })
      ).periods,
  );
}

/** ForecastRevenue of every currency for every horizon, each answer or failure kept for the page. */
function forecastsOf(clients: ConsoleClients, currencies: readonly string[]): Promise<CurrencyForecasts[]> {
  return Promise.all(
    currencies.map(async (currency) => ({
      currency,
      horizons: await Promise.all(
        FORECAST_HORIZONS.map(async (horizonDays) => ({
          horizonDays,
          asked: await attempt(() => clients.ledger.forecastRevenue({ currency, horizonDays })),
        })),
      ),
    })),
  );
}

async function revenuePage(clients: ConsoleClients, ctx: RequestContext) {
  const { form, problem } = revenueForm(ctx.url);
  const title = "Revenue";
  if (problem) return ctx.page(title, concat(revenueFormHtml(form), notice("error", `Refused: ${problem}`)), 400);
  const periods = await periodsOf(clients, form);
  if (!periods.ok)
    return ctx.page(
      title,
      concat(revenueFormHtml(form), notice("error", describeFailure("ledger service", periods.error))),
      httpStatusOf(periods.error),
    );
  const forecasts = await forecastsOf(clients, currenciesOf(periods.value));
  return ctx.page(title, revenue(form, periods.value, forecasts));
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
        if (!periods.ok)
          return ctx.page(
            "Revenue",
            notice("error", describeFailure("ledger service", periods.error)),
            httpStatusOf(periods.error),
          );
        return {
          status: 200,
          body: periodsCsv(periods.value),
          contentType: "text/csv; charset=utf-8",
          filename: `revenue-${form.from}-${form.to}-${form.granularity}.csv`,
        };
      },
    },
  ];
}
