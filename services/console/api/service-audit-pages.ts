import { attempt, type ConsoleClients } from "../adapters/clients.js";
import { AUDITED_SERVICES, type AuditedService } from "../domain/audited-services.js";
import { describeFailure } from "../views/outcome.js";
import type { Route } from "./http-app.js";
import { serviceAudit, serviceAuditFailed } from "../views/service-audit-views.js";

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
        const listed = await attempt(() =>
          clients.audits[service].listAuditRecords({ pageSize: PAGE_SIZE, pageToken }),
        );
        if (!listed.ok)
          return ctx.page(
            `Audit: ${service} service`,
            serviceAuditFailed(service, describeFailure(`${service} service`, listed.error)),
            502,
          );
        return ctx.page(`Audit: ${service} service`, serviceAudit(service, listed.value));
      },
    },
  ];
}
