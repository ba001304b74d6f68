import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { inject } from "vitest";
import { deleteEventStreams, type EventStreamNames } from "../../services/lib/events/streams.js";

/** Stream and subject names no other test or run uses. */
export function uniqueStreamNames(): EventStreamNames {
  const tag = randomBytes(5).toString("hex");
  return { stream: `T${tag.toUpperCase()}_EVENTS`, subjectPrefix: `t${tag}` };
}

export async function deleteStreams(names: EventStreamNames): Promise<void> {
  const nc = await connect({ servers: inject("natsUrl") });
  try {
    await deleteEventStreams(await jetstreamManager(nc), names);
  } finally {
    await nc.close();
  }
}
