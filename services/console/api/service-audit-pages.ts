import { timestampDate } from "@bufbuild/protobuf/wkt";
import { AUDITED_SERVICES, attempt, describeFailure, type AuditedService, type ConsoleClients } from "../adapters/clients.js";
import type { Route } from "./http-app.js";
import { html, notice, query, table } from "../views/html.js";

const PAGE_SIZE = 100;

const isAudited = (name: string): name is AuditedService => (AUDITED_SERVICES as readonly string[]).includes(name);

/**
 * The services' own audit records, one service at a time: every call of a mutating method each received, granted
 * or refused, with the caller's certificate identity and the operator the console named. Read through the
 * services' AuditService, never their tables.
 */
export function serviceAuditRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/audit\/services$/,
      handle: async (ctx) => {
        const requested = ctx.url.searchParams.get("service") ?? "";
        const service: AuditedService = isAudited(requested) ? requested : "payment";
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const tabs = AUDITED_SERVICES.map((s) => (s === service ? html`<strong>${s}</strong>` : html`<a href="/audit/services${query({ service: s })}">${s}</a>`));
        const listed = await attempt(() => clients.audits[service].listAuditRecords({ pageSize: PAGE_SIZE, pageToken }));
        const intro = html`<p>The calls that change something, as each service recorded them (insert-only, in the service's own schema): the caller is the identity of its client certificate, the operator the one the console called for. The console's own log: <a href="/audit">Audit log</a>.</p>
<p class="tabs">${tabs.map((t, i) => (i === 0 ? t : html` · ${t}`))}</p>`;
        if (!listed.ok) return ctx.page(`Audit: ${service} service`, html`${intro}${notice("error", describeFailure(`${service} service`, listed.error))}`, 502);
        const rows = listed.value.records.map(
          (r) =>
            html`<tr data-method="${r.method}" data-outcome="${r.outcome}"><td class="num">${r.id}</td><td>${r.at ? timestampDate(r.at).toISOString() : ""}</td><td>${r.caller}</td><td>${r.operator}</td><td>${r.method}</td><td><code>${JSON.stringify(r.ids)}</code></td><td>${r.outcome}</td></tr>`,
        );
        const next = listed.value.nextPageToken;
        const more = next ? html`<p><a href="/audit/services${query({ service, page: next })}">Older</a></p>` : "";
        return ctx.page(`Audit: ${service} service`, html`${intro}${table(["#", "time (UTC)", "caller", "operator", "method", "ids", "outcome"], rows, "No calls recorded.")}${more}`);
      },
    },
  ];
}
