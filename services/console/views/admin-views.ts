import { ROLES, type Operator } from "../domain/operators.js";
import type { AuditEntry } from "../domain/audit-log.js";
import type { ListedOperator } from "../domain/operators.js";
import { csrfField, html, notice, path, query, table, type SafeHtml } from "./html.js";

/** A page of the console's audit log, newest first, filtered by operator, with a link to older entries when the page is full. */
export function auditLog(entries: AuditEntry[], operatorId: string, pageSize: number): SafeHtml {
  const rows = entries.map(
    (e) =>
      html`<tr data-action="${e.action}"><td class="num">${e.id}</td><td>${e.at.toISOString()}</td><td>${e.operatorId}</td><td>${e.action}</td><td>${e.target}</td><td><code>${JSON.stringify(e.details)}</code></td></tr>`,
  );
  const last = entries[entries.length - 1];
  const more =
    entries.length === pageSize && last
      ? html`<p><a href="/audit${query({ before: last.id.toString(), operator: operatorId })}">Older</a></p>`
      : "";
  return html`<p>Every login, logout and action, newest first. Insert-only: the database refuses to change or delete a row. What the services themselves recorded of the calls they received: <a href="/audit/services">Service audit</a>.</p>
<form class="inline" method="get" action="/audit"><label>Operator <input name="operator" value="${operatorId}"></label><button type="submit">Filter</button></form>
${table(["#", "time (UTC)", "operator", "action", "target", "details"], rows, "No entries.")}${more}`;
}

export interface OperatorsView {
  operators: ListedOperator[];
  /** Who is looking: finance may add operators and disable others. */
  viewer: Operator;
  csrf: string;
  /** The operator just added or disabled, from the address. */
  added: string | null;
  disabled: string | null;
}

function operatorRow(o: ListedOperator, v: OperatorsView): SafeHtml {
  const status = o.disabledAt ? `disabled ${o.disabledAt.toISOString()}` : "active";
  const disable =
    v.viewer.role === "finance" && !o.disabledAt && o.id !== v.viewer.id
      ? html`<form class="inline" method="post" action="${path("operators", o.id, "disable")}">${csrfField(v.csrf)}<button type="submit">Disable</button></form>`
      : "";
  return html`<tr><td>${o.id}</td><td>${o.displayName}</td><td>${o.role}</td><td>${status}</td><td>${disable}</td></tr>`;
}

const addOperatorForm = (csrf: string): SafeHtml => html`<h2>Add an operator</h2>
<form class="inline" method="post" action="/operators">${csrfField(csrf)}
<label>Login <input name="id" required pattern="[a-z0-9][a-z0-9_.\\-]{0,63}"></label>
<label>Display name <input name="display_name" required></label>
<label>Role <select name="role">${ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
<label>Password <input name="password" type="password" required minlength="8" autocomplete="new-password"></label>
<button type="submit">Add</button></form>`;

/** The operators, with (finance) the form adding one. */
export function operatorList(v: OperatorsView): SafeHtml {
  const form =
    v.viewer.role === "finance" ? addOperatorForm(v.csrf) : notice("info", "Adding operators needs the finance role.");
  const done = html`${v.added ? notice("info", `Operator ${v.added} added.`) : ""}${v.disabled ? notice("info", `Operator ${v.disabled} disabled; their sessions are ended.`) : ""}`;
  return html`${done}${table(
    ["login", "name", "role", "status", ""],
    v.operators.map((o) => operatorRow(o, v)),
  )}${form}`;
}

/** Why an operator was not added or disabled, and the way back. */
export const operatorRefusal = (problems: string[]): SafeHtml =>
  html`${problems.map((p) => notice("error", p))}<p><a href="/operators">Back</a></p>`;
