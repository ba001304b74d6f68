import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { AuditRecord } from "../../../gen/audit/v1/audit_pb.js";
import { AUDITED_SERVICES, type AuditedService } from "../domain/audited-services.js";
import { html, notice, query, table, type SafeHtml } from "./html.js";

/** What the page shows, and a tab per service, the one shown first. */
function intro(service: AuditedService): SafeHtml {
  const tabs = AUDITED_SERVICES.map((s) =>
    s === service ? html`<strong>${s}</strong>` : html`<a href="/audit/services${query({ service: s })}">${s}</a>`,
  );
  return html`<p>The calls that change something, as each service recorded them (insert-only, in the service's own schema): the caller is the identity of its client certificate, the operator the one the console called for. The console's own log: <a href="/audit">Audit log</a>.</p>
<p class="tabs">${tabs.map((t, i) => (i === 0 ? t : html` · ${t}`))}</p>`;
}

/** A page of one service's audit records, newest first, and a link to older ones. */
export function serviceAudit(
  service: AuditedService,
  listed: { records: AuditRecord[]; nextPageToken: string },
): SafeHtml {
  const rows = listed.records.map(
    (r) =>
      html`<tr data-method="${r.method}" data-outcome="${r.outcome}"><td class="num">${r.id}</td><td>${r.at ? timestampDate(r.at).toISOString() : ""}</td><td>${r.caller}</td><td>${r.operator}</td><td>${r.method}</td><td><code>${JSON.stringify(r.ids)}</code></td><td>${r.outcome}</td></tr>`,
  );
  const next = listed.nextPageToken;
  const more = next ? html`<p><a href="/audit/services${query({ service, page: next })}">Older</a></p>` : "";
  return html`${intro(service)}${table(["#", "time (UTC)", "caller", "operator", "method", "ids", "outcome"], rows, "No calls recorded.")}${more}`;
}

/** The tabs, then why the service's records could not be read. */
export const serviceAuditFailed = (service: AuditedService, problem: string): SafeHtml =>
  html`${intro(service)}${notice("error", problem)}`;
