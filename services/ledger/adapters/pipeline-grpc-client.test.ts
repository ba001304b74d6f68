import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { PipelineHealthSchema, SettledPageSchema } from "../../../gen/common/v1/pipeline_pb.js";
import { pipelineSource } from "./pipeline-grpc-client.js";

const HOUR = new Date("2026-12-07T10:00:00Z");

function sourceAnswering(health: MessageInitShape<typeof PipelineHealthSchema>) {
  return pipelineSource("payment", ["payin"], {
    getPipelineHealth: async () => ({ health: create(PipelineHealthSchema, health) }),
    listSettled: async () => ({ page: create(SettledPageSchema) }),
  });
}

describe("pipelineSource", () => {
  it("reads the source's hours as epoch milliseconds, with its unpublished events", async () => {
    const source = sourceAnswering({
      hours: [{ flow: "payin", hour: timestampFromDate(HOUR), currency: "EUR", count: 2n, sumMinor: 1500n }],
      unpublishedEvents: 3n,
      oldestUnpublishedAt: timestampFromDate(HOUR),
    });
    expect(await source.health(HOUR, HOUR)).toEqual({
      hours: [{ flow: "payin", hour: HOUR.getTime(), currency: "EUR", count: 2n, sumMinor: 1500n }],
      unpublished: 3n,
      oldestUnpublished: HOUR,
    });
  });

  it("refuses an hour the source sent without its time, naming the source and the flow", async () => {
    const source = sourceAnswering({ hours: [{ flow: "payin", currency: "EUR", count: 1n, sumMinor: 100n }] });
    await expect(source.health(HOUR, HOUR)).rejects.toThrow(
      "the payment service answered a payin hour without its time",
    );
  });
});
