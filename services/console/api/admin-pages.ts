import { operatorProblems, ROLES, type Role } from "../domain/operators.js";
import { OperatorExistsError, type ConsoleStore } from "../store/console-store.js";
import { redirect, type Route } from "./http-app.js";
import { csrfField, html, notice, query, table } from "./html.js";

const AUDIT_PAGE = 100;

/** The audit log (everyone) and the operators (everyone sees them; adding one needs the finance role). */
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
          html`<p>Every login, logout and action, newest first. Insert-only: the database refuses to change or delete a row.</p>
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
        const rows = operators.map((o) => html`<tr><td>${o.id}</td><td>${o.displayName}</td><td>${o.role}</td></tr>`);
        const form =
          ctx.operator.role === "finance"
            ? html`<h2>Add an operator</h2>
<form class="inline" method="post" action="/operators">${csrfField(ctx.csrf)}
<label>Login <input name="id" required pattern="[a-z0-9][a-z0-9_.\\-]{0,63}"></label>
<label>Display name <input name="display_name" required></label>
<label>Role <select name="role">${ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
<label>Password <input name="password" type="password" required minlength="8" autocomplete="new-password"></label>
<button type="submit">Add</button></form>`
            : notice("info", "Adding operators needs the finance role.");
        const done = ctx.url.searchParams.get("added");
        return ctx.page("Operators", html`${done ? notice("info", `Operator ${done} added.`) : ""}${table(["login", "name", "role"], rows)}${form}`);
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
        if (problems.length > 0) return ctx.page("Operator not added", html`${problems.map((p) => notice("error", p))}<p><a href="/operators">Back</a></p>`, 400);
        try {
          await store.createOperator({ id: input.id, displayName: input.displayName, role: input.role as Role }, input.password, {
            operatorId: ctx.operator.id,
            action: "operator_created",
            target: input.id,
            details: { role: input.role, display_name: input.displayName },
          });
        } catch (err) {
          if (err instanceof OperatorExistsError) return ctx.page("Operator not added", html`${notice("error", err.message)}<p><a href="/operators">Back</a></p>`, 409);
          throw err;
        }
        return redirect(`/operators${query({ added: input.id })}`);
      },
    },
  ];
}
