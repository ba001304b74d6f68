import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  PipelineHealth,
  PipelineWindowSchema,
  SettledPage,
  SettledQuerySchema,
} from "../../../gen/common/v1/pipeline_pb.js";
import { callWithRetry } from "../../lib/grpc-call.js";
import type { PipelineSource } from "../app/ports.js";

/** The two RPCs the payment and wallet services both serve (common/v1/pipeline.proto). */
interface PipelineClient {
  getPipelineHealth(req: {
    window: MessageInitShape<typeof PipelineWindowSchema>;
  }): Promise<{ health?: PipelineHealth }>;
  listSettled(req: { query: MessageInitShape<typeof SettledQuerySchema> }): Promise<{ page?: SettledPage }>;
}

export function pipelineSource(service: string, flows: readonly string[], client: PipelineClient): PipelineSource {
  return {
    service,
    flows,
    async health(since, settledBefore) {
      const { health } = await callWithRetry(
        () =>
          client.getPipelineHealth({
            window: { since: timestampFromDate(since), settledBefore: timestampFromDate(settledBefore) },
          }),
        service,
      );
      return {
        hours: (health?.hours ?? []).map(({ flow, hour, currency, count, sumMinor }) => {
          if (hour === undefined) throw new Error(`the ${service} service answered a ${flow} hour without its time`);
          return { flow, hour: timestampDate(hour).getTime(), currency, count, sumMinor };
        }),
        unpublished: health?.unpublishedEvents ?? 0n,
        oldestUnpublished: health?.oldestUnpublishedAt && timestampDate(health.oldestUnpublishedAt),
      };
    },
    async *settledItems(flow, from, until, settledBefore) {
      let pageToken = "";
      do {
        const query = {
          flow,
          createdFrom: timestampFromDate(from),
          createdUntil: timestampFromDate(until),
          settledBefore: timestampFromDate(settledBefore),
          pageToken,
        };
        const { page } = await callWithRetry(() => client.listSettled({ query }), service);
        // A source older than SettledPage.items sends ids only: they are still checked for being booked.
        yield page?.items.length
          ? page.items.map(({ id, currency, amountMinor }) => ({ id, currency, amountMinor }))
          : (page?.ids ?? []).map((id) => ({ id }));
        pageToken = page?.nextPageToken ?? "";
      } while (pageToken !== "");
    },
  };
}
