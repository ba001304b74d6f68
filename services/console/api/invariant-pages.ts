import { attempt, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import type { Route } from "./http-app.js";
import { notice } from "../views/html.js";
import { booksCheck } from "../views/invariant-views.js";

/** The ledger's CheckInvariants, run when the page is opened: broken rules of the books, then events that stalled on their way. */
export function invariantRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/ledger\/invariants$/,
      handle: async (ctx) => {
        const checked = await attempt(() => clients.ledger.checkInvariants({}));
        if (!checked.ok)
          return ctx.page(
            "Books check",
            notice("error", describeFailure("ledger service", checked.error)),
            httpStatusOf(checked.error),
          );
        return ctx.page("Books check", booksCheck(checked.value));
      },
    },
  ];
}
