import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { AuditService } from "../../../gen/audit/v1/audit_pb.js";
import { badPageToken, decodePageToken, encodePageToken, pageSize } from "../page-token.js";
import { invalidArgument } from "../errors.js";
import type { AuditLog } from "./audit-store.js";

const MAX_METHOD_CHARS = 200;

/** audit.v1.AuditService on every server: its own rpc_audit table, newest first. */
export function registerAudit(router: ConnectRouter, store: AuditLog): void {
  router.service(AuditService, {
    async listAuditRecords(req) {
      if (req.method.length > MAX_METHOD_CHARS) throw invalidArgument("method", `must be at most ${MAX_METHOD_CHARS} characters`);
      const limit = pageSize(req.pageSize, 50, 500);
      const cursor = decodePageToken(req.pageToken, ["beforeId"]);
      if (cursor && !/^\d{1,19}$/.test(cursor.beforeId!)) throw badPageToken();
      const beforeId = cursor ? BigInt(cursor.beforeId!) : undefined;
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
        nextPageToken: records.length > limit ? encodePageToken({ beforeId: page.at(-1)!.id.toString() }) : "",
      };
    },
  });
}
