import { attempt, type ConsoleClients } from "../adapters/clients.js";
import { redirect, type Route } from "./http-app.js";
import { notice } from "../views/html.js";
import { DEFAULT_RANGE, overview, RANGES } from "../views/overview-views.js";

/** How many runs the reconciliation chart reads to find its days. */
const RUNS_READ = 100;

export function overviewRoutes(clients: ConsoleClients): Route[] {
  return [
    { method: "GET", pattern: /^\/$/, handle: async () => redirect("/overview") },
    {
      method: "GET",
      pattern: /^\/overview$/,
      handle: async (ctx) => {
        const rangeKey = ctx.url.searchParams.get("range") ?? DEFAULT_RANGE;
        const range = RANGES[rangeKey];
        if (range === undefined)
          return ctx.page(
            "Overview",
            notice("error", `There is no range "${rangeKey}"; use ${Object.keys(RANGES).join(" or ")}.`),
            400,
          );
        const [stats, runs] = await Promise.all([
          attempt(() => clients.payments.getPaymentStats({ period: range.period, periods: range.periods })),
          attempt(() => clients.reconciliation.listRuns({ pageSize: RUNS_READ })),
        ]);
        return ctx.page("Overview", overview({ rangeKey, range, stats, runs, operator: ctx.operator }));
      },
    },
  ];
}
