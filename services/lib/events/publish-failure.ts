import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { InvalidArgumentError, InvalidSubjectError } from "@nats-io/transport-node";

/**
 * Why NATS will never take this message, or undefined when trying again may work. Permanent: the client refused it
 * (larger than the server's max_payload, an invalid subject), or JetStream answered with a 400-class API error (e.g.
 * larger than the stream's max_msg_size). Everything else is transient: NATS unreachable, timeouts, no responders,
 * 503s, a missing stream (the producer creates it when it attaches), a permission violation (a configuration an
 * operator fixes, which would otherwise set aside every event of the subject).
 */
export function permanentPublishFailure(err: unknown): string | undefined {
  if (err instanceof InvalidArgumentError || err instanceof InvalidSubjectError) return err.message;
  if (
    err instanceof JetStreamApiError &&
    err.code !== JetStreamApiCodes.StreamNotFound &&
    err.status >= 400 &&
    err.status < 500
  )
    return `JetStream ${err.status} (${err.code}): ${err.message}`;
  return undefined;
}
