import { JetStreamApiError } from "@nats-io/jetstream";
import { jserrors } from "@nats-io/jetstream/internal";
import {
  InvalidArgumentError,
  NoRespondersError,
  PermissionViolationError,
  TimeoutError,
} from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { permanentPublishFailure } from "./publish-failure.js";

const apiError = (code: number, err_code: number, description: string) =>
  new JetStreamApiError({ code, err_code, description });

describe("permanentPublishFailure", () => {
  it("names the reason NATS will never take a message: too large for the server or the stream", () => {
    expect(permanentPublishFailure(InvalidArgumentError.format("payload", "max_payload size exceeded"))).toBe(
      "'payload' max_payload size exceeded",
    );
    expect(permanentPublishFailure(apiError(400, 10054, "message size exceeds maximum allowed"))).toBe(
      "JetStream 400 (10054): message size exceeds maximum allowed",
    );
  });

  it("answers undefined for what may pass on a later try", () => {
    for (const err of [
      new TimeoutError(),
      new NoRespondersError("payments.payment.executing"),
      apiError(503, 10077, "maximum messages exceeded"),
      // A stream leader change: nats.js reads the 503 "no responders" as JetStream not enabled.
      new jserrors.JetStreamNotEnabled("jetstream is not enabled"),
      apiError(503, 10039, "jetstream not enabled for account"),
      apiError(404, 10059, "stream not found"),
      new PermissionViolationError(
        'Permissions Violation for Publish to "payments.payment.executing"',
        "publish",
        "payments.payment.executing",
      ),
      new Error("connection closed"),
    ]) {
      expect(permanentPublishFailure(err)).toBeUndefined();
    }
  });
});
