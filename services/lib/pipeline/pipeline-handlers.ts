import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Knex } from "knex";
import type { PipelineWindow, SettledQuery } from "../../../gen/common/v1/pipeline_pb.js";
import { invalidArgument } from "../errors.js";
import { pageSize, pageTokens, type PageTokenKey } from "../page-token.js";
import { outboxBacklog, settledItems, settledPerHour, type SettledFlow } from "./settled-store.js";

const MAX_WINDOW_MS = 31 * 24 * 3600_000;

function requireTime(field: string, value: Timestamp | undefined): Date {
  if (value === undefined) throw invalidArgument(field, "is required");
  return timestampDate(value);
}

function requireSpan(fromField: string, from: Date, untilField: string, until: Date): void {
  if (until <= from) throw invalidArgument(untilField, `must be after ${fromField}`);
  if (until.getTime() - from.getTime() > MAX_WINDOW_MS)
    throw invalidArgument(untilField, `must be at most 31 days after ${fromField}`);
}

/**
 * GetPipelineHealth and ListSettled (common/v1/pipeline.proto) over a service's own settled flows and outbox, for
 * the ledger's CheckInvariants. `service` names the RPCs' service, e.g. "wallet.v1.WalletService".
 */
export function pipelineHandlers(db: Knex, flows: readonly SettledFlow[], tokenKey: PageTokenKey, service: string) {
  const pages = pageTokens(tokenKey, `${service}/ListSettled`, { createdAt: "string", id: "string" });
  return {
    async getPipelineHealth(req: { window?: PipelineWindow }) {
      const since = requireTime("window.since", req.window?.since);
      const settledBefore = requireTime("window.settled_before", req.window?.settledBefore);
      requireSpan("window.since", since, "window.settled_before", settledBefore);
      const [hours, backlog] = await Promise.all([
        settledPerHour(db, flows, since, settledBefore),
        outboxBacklog(db, settledBefore),
      ]);
      return {
        health: {
          hours: hours.map((h) => ({ ...h, hour: timestampFromDate(h.hour) })),
          unpublishedEvents: backlog.unpublished,
          oldestUnpublishedAt: backlog.oldest && timestampFromDate(backlog.oldest),
        },
      };
    },
    async listSettled(req: { query?: SettledQuery }) {
      const q = req.query;
      const flow = flows.find((f) => f.name === q?.flow);
      if (flow === undefined)
        throw invalidArgument("query.flow", `must be one of ${flows.map((f) => `"${f.name}"`).join(", ")}`);
      const from = requireTime("query.created_from", q?.createdFrom);
      const until = requireTime("query.created_until", q?.createdUntil);
      requireSpan("query.created_from", from, "query.created_until", until);
      const limit = pageSize(q!.pageSize, 1000, 1000);
      const rows = await settledItems(db, flow, {
        from,
        until,
        settledBefore: requireTime("query.settled_before", q!.settledBefore),
        after: pages.decode(q!.pageToken),
        limit,
      });
      const last = rows[rows.length - 1];
      const items = rows.map(({ id, currency, amountMinor }) => ({ id, currency, amountMinor }));
      return {
        page: {
          ids: rows.map((r) => r.id),
          items,
          nextPageToken: rows.length === limit && last ? pages.encode(last) : "",
        },
      };
    },
  };
}
export type PipelineMethods = ReturnType<typeof pipelineHandlers>;
