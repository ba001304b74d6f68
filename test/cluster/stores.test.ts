import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsCluster, type NatsCluster } from "../../scripts/infra/cluster/nats-cluster.js";
import { startPgCluster, type PgCluster } from "../../scripts/infra/cluster/pg-cluster.js";
import { processesMentioning } from "../../scripts/infra/cluster/processes.js";
import { ANY_STREAMS } from "../../scripts/infra/nats-auth.js";
import { natsConnectOptions } from "../../services/lib/events/nats.js";
import { uniqueStreamNames } from "../support/event-streams.js";
import { harnessUser } from "../support/nats-users.js";
import { waitFor } from "../support/wait.js";

/** Runs `step` over and over; the function it returns stops it after the step under way. */
function steadyLoad(step: () => Promise<void>) {
  let stopping = false;
  const running = (async () => {
    while (!stopping) await step();
  })();
  return async () => {
    stopping = true;
    await running;
  };
}

const countReaches = (what: string, count: () => number, target: number) =>
  waitFor(
    async () => count(),
    (n) => n >= target,
    30_000,
    what,
  );

describe("the stores' clusters under a crash", () => {
  let postgres: PgCluster | undefined;
  let nats: NatsCluster | undefined;
  const harness = harnessUser();
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const started = Date.now();
    [postgres, nats] = await Promise.all([startPgCluster(), startNatsCluster(ANY_STREAMS, { extraUsers: [harness] })]);
    timings.clustersStartMs = Date.now() - started;
  }, 90_000);

  afterAll(async () => {
    const directories = [...(postgres?.directories ?? []), ...(nats?.directories ?? [])];
    await Promise.allSettled([postgres?.stop(), nats?.stop()]);
    console.log("cluster timings (ms):", timings);
    expect(directories.flatMap(processesMentioning)).toEqual([]);
    expect(directories.filter(existsSync)).toEqual([]);
  }, 60_000);

  it("keeps every acknowledged commit when the PostgreSQL primary crashes, and takes the old primary back as a replica", async () => {
    const cluster = postgres!;
    const setup = new pg.Client({ connectionString: cluster.url });
    await setup.connect();
    await setup.query("CREATE TABLE commits (id bigint PRIMARY KEY)");
    await setup.end();

    const acknowledged: number[] = [];
    let next = 0;
    let client: pg.Client | undefined;
    const stopWriting = steadyLoad(async () => {
      const id = ++next;
      try {
        if (!client) {
          client = new pg.Client({
            connectionString: cluster.url,
            connectionTimeoutMillis: 1_000,
            query_timeout: 3_000,
          });
          client.on("error", () => {});
          await client.connect();
        }
        await client.query("INSERT INTO commits (id) VALUES ($1)", [id]);
        acknowledged.push(id);
      } catch {
        // The primary went away: whatever this insert did is unknown, so it is not counted; reconnect through HAProxy.
        await client?.end().catch(() => {});
        client = undefined;
        await sleep(100);
      }
    });
    try {
      await countReaches("commits before the crash", () => acknowledged.length, 100);
      const failover = await cluster.killPrimary();
      timings.pgWritesBackAfterMs = failover.writesBackAfterMs;
      const atFailover = acknowledged.length;
      await countReaches("commits after the failover", () => acknowledged.length, atFailover + 100);
      expect(failover.newPrimary).not.toBe(failover.killed);
      expect(await cluster.primary()).toBe(failover.newPrimary);

      await stopWriting();
      await client?.end();
      const check = new pg.Client({ connectionString: cluster.url });
      await check.connect();
      const { rows } = await check.query<{ id: string }>("SELECT id FROM commits");
      await check.end();
      const stored = new Set(rows.map((r) => Number(r.id)));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);

      const rejoining = Date.now();
      await cluster.restart(failover.killed);
      timings.pgRejoinMs = Date.now() - rejoining;
      const members = await cluster.members();
      expect(members.find((m) => m.name === failover.killed)).toMatchObject({
        role: expect.stringMatching(/^(replica|sync_standby)$/),
        state: expect.stringMatching(/^(running|streaming)$/),
      });
      expect(members.filter((m) => m.role === "leader").map((m) => m.name)).toEqual([failover.newPrimary]);
    } finally {
      await stopWriting();
      await client?.end().catch(() => {});
    }
  }, 120_000);

  it("keeps every acknowledged message, each once, when the stream leader crashes, and takes the node back", async () => {
    const cluster = nats!;
    const { stream, subjectPrefix } = uniqueStreamNames();
    const subject = `${subjectPrefix}.event`;
    const nc: NatsConnection = await connect({
      ...natsConnectOptions(
        { servers: cluster.endpoint("payment").servers, user: harness.user, password: harness.password },
        "stores-test",
      ),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [`${subjectPrefix}.>`], num_replicas: 3 });
      const js = jetstream(nc, { timeout: 2_000 });

      // A publish that failed is sent again with the same Nats-Msg-Id until acknowledged, as the services' outbox does.
      const acknowledged: string[] = [];
      let duplicates = 0;
      let pending: string | undefined;
      let next = 0;
      const stopPublishing = steadyLoad(async () => {
        const msgID = (pending ??= `event-${++next}`);
        try {
          const ack = await js.publish(subject, msgID, { msgID });
          if (ack.duplicate) duplicates++;
          else acknowledged.push(msgID);
          pending = undefined;
        } catch {
          await sleep(100);
        }
      });
      try {
        await countReaches("publishes before the crash", () => acknowledged.length, 100);
        const failover = await cluster.killStreamLeader(stream, `${subjectPrefix}.probe`);
        timings.natsPublishesBackAfterMs = failover.publishesBackAfterMs;
        const atFailover = acknowledged.length;
        await countReaches("publishes after the failover", () => acknowledged.length, atFailover + 100);
        expect(failover.newLeader).not.toBe(failover.killed);
        await cluster.start(failover.killed);
      } finally {
        await stopPublishing();
      }
      // Sent again on purpose: within the duplicate window the stream keeps the first of each.
      for (const msgID of acknowledged.slice(0, 10))
        expect((await js.publish(subject, msgID, { msgID })).duplicate).toBe(true);

      const reader = await js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
      const info = await jsm.streams.info(stream, { subjects_filter: subject });
      const stored: string[] = [];
      const expected = info.state.subjects?.[subject] ?? 0;
      const messages = await reader.consume();
      for await (const m of messages) {
        stored.push(m.string());
        if (stored.length === expected) break;
      }
      expect(stored.length).toBe(new Set(stored).size);
      const kept = new Set(stored);
      expect(acknowledged.filter((id) => !kept.has(id))).toEqual([]);
      console.log(
        `NATS: ${acknowledged.length} acknowledged, ${stored.length} stored, ${duplicates} publishes answered duplicate during the failover`,
      );
    } finally {
      await nc.close();
    }
  }, 120_000);
});
