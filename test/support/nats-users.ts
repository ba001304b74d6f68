import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { inject } from "vitest";
import type { NatsUser, NatsUserEntry } from "../../scripts/infra/nats-auth.js";
import { natsConnectOptions, type NatsEndpoint } from "../../services/lib/events/nats.js";

/** The tests' own user, beside the services': it sets up, inspects and deletes any test's streams. */
export const HARNESS = "test-harness";
export type TestNatsUser = NatsUser | typeof HARNESS;

export function harnessUser(): NatsUserEntry {
  return {
    user: HARNESS,
    password: randomBytes(18).toString("base64url"),
    permissions: { publish: [">"], subscribe: [">"] },
  };
}

/** The test run's NATS server, as `user`. */
export function natsAs(user: TestNatsUser): NatsEndpoint {
  const { url, passwords } = inject("nats");
  return { servers: [url], user, password: passwords[user] };
}

export function connectAs(user: TestNatsUser): Promise<NatsConnection> {
  return connect(natsConnectOptions(natsAs(user), `test-${user}`));
}
