import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import { startWalletService, type RunningWalletService } from "../../services/wallet/service.js";
import { uniqueStreamNames } from "../support/event-streams.js";
import { healthClient } from "../support/clients.js";
import { startNatsProcess, type NatsProcess } from "../support/nats-process.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { testTls } from "../support/tls.js";
import { waitFor } from "../support/wait.js";

/**
 * Health names each store a service uses: "nats" is NOT_SERVING while NATS is away and SERVING once the service has
 * reconnected; the server as a whole ("") keeps serving meanwhile, as its API does (events wait in the outbox).
 */
let database: TestDatabase;
let nats: NatsProcess;
let wallet: RunningWalletService;
let health: ReturnType<typeof healthClient>;

beforeAll(async () => {
  database = await createTestDatabase();
  nats = await startNatsProcess();
  wallet = await startWalletService({
    tls: testTls("wallet"),
    databaseUrl: database.url,
    events: { nats: nats.endpoint("wallet"), names: uniqueStreamNames() },
    pageTokenSecret: randomPageTokenSecret(),
  });
  health = healthClient(wallet.url, "wallet");
});

afterAll(async () => {
  await wallet?.close();
  await nats?.stop();
  await database?.drop();
});

const statusOf = async (service: string) => (await health.check({ service })).status;
const { SERVING, NOT_SERVING } = ServingStatus;
const statuses = async () => ({
  server: await statusOf(""),
  postgresql: await statusOf("postgresql"),
  nats: await statusOf("nats"),
});

describe("health of each store", () => {
  it("says NOT_SERVING for nats while NATS is down, SERVING again once reconnected; the server serves throughout", async () => {
    await waitFor(statuses, (s) => s.nats === SERVING, 10_000, "the wallet to attach to NATS");
    expect(await statuses()).toEqual({ server: SERVING, postgresql: SERVING, nats: SERVING });
    await nats.restart("SIGKILL", async () => {
      await waitFor(statuses, (s) => s.nats === NOT_SERVING, 10_000, "nats to be NOT_SERVING");
      expect(await statuses()).toEqual({ server: SERVING, postgresql: SERVING, nats: NOT_SERVING });
    });
    await waitFor(statuses, (s) => s.nats === SERVING, 15_000, "nats to be SERVING after the restart");
  });
});
