import { operatorProblems, type Role } from "../domain/operators.js";
import { OperatorExistsError, type ConsoleStore } from "../store/console-store.js";
import { redirect, type Reply, type RequestContext, type Route } from "./http-app.js";
import { query } from "../views/html.js";
import { auditLog, operatorList, operatorRefusal } from "../views/admin-views.js";

const AUDIT_PAGE = 100;

const refusal = (ctx: RequestContext, title: string, problems: string[], status: number): Reply =>
  ctx.page(title, operatorRefusal(problems), status);

/** The audit log (everyone) and the operators (everyone sees them; adding or disabling one needs the finance role). */
export function adminRoutes(store: ConsoleStore): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/audit$/,
      handle: async (ctx) => {
        const before = ctx.url.searchParams.get("before") ?? "";
        const operatorId = ctx.url.searchParams.get("operator") ?? "";
        const entries = await store.listAudit({
          limit: AUDIT_PAGE,
          beforeId: /^\d{1,18}$/.test(before) ? BigInt(before) : undefined,
          operatorId: operatorId || undefined,
        });
        return ctx.page("Audit log", auditLog(entries, operatorId, AUDIT_PAGE));
      },
    },
    {
      method: "GET",
      pattern: /^\/operators$/,
      handle: async (ctx) => {
        const operators = await store.listOperators();
        const { searchParams } = ctx.url;
        return ctx.page(
          "Operators",
          operatorList({
            operators,
            viewer: ctx.operator,
            csrf: ctx.csrf,
            added: searchParams.get("added"),
            disabled: searchParams.get("disabled"),
          }),
        );
      },
    },
    {
      method: "POST",
      pattern: /^\/operators$/,
      role: "finance",
      handle: async (ctx) => {
        const input = {
          id: (ctx.form.get("id") ?? "").trim(),
          displayName: (ctx.form.get("display_name") ?? "").trim(),
          role: ctx.form.get("role") ?? "",
          password: ctx.form.get("password") ?? "",
        };
        const problems = operatorProblems(input);
        if (problems.length > 0) return refusal(ctx, "Operator not added", problems, 400);
        try {
          await store.createOperator(
            { id: input.id, displayName: input.displayName, role: input.role as Role },
            input.password,
            {
              operatorId: ctx.operator.id,
              action: "operator_created",
              target: input.id,
              details: { role: input.role, display_name: input.displayName },
            },
          );
        } catch (err) {
          if (err instanceof OperatorExistsError) return refusal(ctx, "Operator not added", [err.message], 409);
          throw err;
        }
        return redirect(`/operators${query({ added: input.id })}`);
      },
    },
    {
      method: "POST",
      pattern: /^\/operators\/([^/]+)\/disable$/,
      role: "finance",
      handle: async (ctx) => {
        const id = ctx.params[0]!;
        // Whoever disables must be someone else, so that finance cannot lock itself out by a slip.
        if (id === ctx.operator.id)
          return refusal(
            ctx,
            "Operator not disabled",
            ["You cannot disable yourself; ask another finance operator."],
            409,
          );
        const done = await store.disableOperator(id, { operatorId: ctx.operator.id, action: "operator_disabled" });
        if (!done) return refusal(ctx, "Operator not disabled", [`There is no active operator "${id}".`], 404);
        return redirect(`/operators${query({ disabled: id })}`);
      },
    },
  ];
}
