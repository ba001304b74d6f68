import { operatorProblems, ROLES, type Role } from "../domain/operators.js";
import { OperatorExistsError, type ConsoleStore } from "../store/console-store.js";
import { redirect, type Reply, type RequestContext, type Route } from "./http-app.js";
import { csrfField, html, notice, path, query, table } from "../views/html.js";

const AUDIT_PAGE = 100;

const refusal = (ctx: RequestContext, title: string, problems: string[], status: number): Reply =>
  ctx.page(title, html`${problems.map((p) => notice("error", p))}<p><a href="/operators">Back</a></p>`, status);

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
        const rows = entries.map(
          (e) => html`<tr data-action="${e.action}"><td class="num">${e.id}</td><td>${e.at.toISOString()}</td><td>${e.operatorId}</td><td>${e.action}</td><td>${e.target}</td><td><code>${JSON.stringify(e.details)}</code></td></tr>`,
        );
        const last = entries[entries.length - 1];
        const more = entries.length === AUDIT_PAGE && last ? html`<p><a href="/audit${query({ before: last.id.toString(), operator: operatorId })}">Older</a></p>` : "";
        return ctx.page(
          "Audit log",
          html`<p>Every login, logout and action, newest first. Insert-only: the database refuses to change or delete a row. What the services themselves recorded of the calls they received: <a href="/audit/services">Service audit</a>.</p>
<form class="inline" method="get" action="/audit"><label>Operator <input name="operator" value="${operatorId}"></label><button type="submit">Filter</button></form>
${table(["#", "time (UTC)", "operator", "action", "target", "details"], rows, "No entries.")}${more}`,
        );
      },
    },
    {
      method: "GET",
      pattern: /^\/operators$/,
      handle: async (ctx) => {
        const operators = await store.listOperators();
        const finance = ctx.operator.role === "finance";
        const rows = operators.map((o) => {
          const status = o.disabledAt ? `disabled ${o.disabledAt.toISOString()}` : "active";
          const disable =
            finance && !o.disabledAt && o.id !== ctx.operator.id
              ? html`<form class="inline" method="post" action="${path("operators", o.id, "disable")}">${csrfField(ctx.csrf)}<button type="submit">Disable</button></form>`
              : "";
          return html`<tr><td>${o.id}</td><td>${o.displayName}</td><td>${o.role}</td><td>${status}</td><td>${disable}</td></tr>`;
        });
        const form =
          finance
            ? html`<h2>Add an operator</h2>
<form class="inline" method="post" action="/operators">${csrfField(ctx.csrf)}
<label>Login <input name="id" required pattern="[a-z0-9][a-z0-9_.\\-]{0,63}"></label>
<label>Display name <input name="display_name" required></label>
<label>Role <select name="role">${ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
<label>Password <input name="password" type="password" required minlength="8" autocomplete="new-password"></label>
<button type="submit">Add</button></form>`
            : notice("info", "Adding operators needs the finance role.");
        const added = ctx.url.searchParams.get("added");
        const disabled = ctx.url.searchParams.get("disabled");
        const done = html`${added ? notice("info", `Operator ${added} added.`) : ""}${disabled ? notice("info", `Operator ${disabled} disabled; their sessions are ended.`) : ""}`;
        return ctx.page("Operators", html`${done}${table(["login", "name", "role", "status", ""], rows)}${form}`);
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
          await store.createOperator({ id: input.id, displayName: input.displayName, role: input.role as Role }, input.password, {
            operatorId: ctx.operator.id,
            action: "operator_created",
            target: input.id,
            details: { role: input.role, display_name: input.displayName },
          });
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
        if (id === ctx.operator.id) return refusal(ctx, "Operator not disabled", ["You cannot disable yourself; ask another finance operator."], 409);
        const done = await store.disableOperator(id, { operatorId: ctx.operator.id, action: "operator_disabled" });
        if (!done) return refusal(ctx, "Operator not disabled", [`There is no active operator "${id}".`], 404);
        return redirect(`/operators${query({ disabled: id })}`);
      },
    },
  ];
}
