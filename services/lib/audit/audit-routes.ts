import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { AuditService } from "../../../gen/audit/v1/audit_pb.js";
import { pageSize, pageTokens, type PageTokenKey } from "../page-token.js";
import { invalidArgument } from "../errors.js";
import type { AuditLog } from "./audit-store.js";

const MAX_METHOD_CHARS = 200;

/**
 * audit.v1.AuditService on every server: its own rpc_audit table, newest first. `owner` (the service's own gRPC
 * name) is in the page tokens' MAC, so that one service's token is refused by another's audit list.
 */
export function registerAudit(router: ConnectRouter, store: AuditLog, key: PageTokenKey, owner: string): void {
  const tokens = pageTokens(key, `${owner} audit.v1.AuditService/ListAuditRecords`, { beforeId: "bigint" });
  router.service(AuditService, {
    async listAuditRecords(req) {
      if (req.method.length > MAX_METHOD_CHARS)
        throw invalidArgument("method", `must be at most ${MAX_METHOD_CHARS} characters`);
      const limit = pageSize(req.pageSize, 50, 500);
      const beforeId = tokens.decode(req.pageToken)?.beforeId;
      const records = await store.list({ method: req.method || undefined, beforeId, limit: limit + 1 });
      const page = records.slice(0, limit);
      return {
        records: page.map((r) => ({
          id: r.id,
          caller: r.caller.identity,
          operator: r.caller.operator ?? "",
          method: r.method,
          ids: r.ids,
          outcome: r.outcome,
          at: timestampFromDate(r.at),
        })),
        nextPageToken: records.length > limit ? tokens.encode({ beforeId: page.at(-1)!.id }) : "",
      };
    },
  });
}
