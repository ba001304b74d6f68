import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsCluster, type NatsCluster } from "../../scripts/infra/cluster/nats-cluster.js";
import { processesMentioning } from "../../scripts/infra/cluster/processes.js";
import { ANY_STREAMS } from "../../scripts/infra/nats-auth.js";
import {
  defaultConsumerSettings,
  ensureConsumer,
  startConsumer,
  type ConsumerSettings,
} from "../../services/lib/events/consumer.js";
import { connectNats, type NatsConnection } from "../../services/lib/events/nats.js";
import { ensureEventStreams } from "../../services/lib/events/streams.js";
import { createLogger } from "../../services/lib/log.js";
import { uniqueStreamNames } from "../support/event-streams.js";
import { harnessUser } from "../support/nats-users.js";
import { waitFor } from "../support/wait.js";

/** "Within seconds": the ~44 s a pull consumer used to stall after losing its leader must fail this. */
const RESUME_BOUND_MS = 20_000;
const REPLICAS = 3;

describe("a durable consumer whose consumer leader crashes", () => {
  let cluster: NatsCluster | undefined;
  const harness = harnessUser();

  beforeAll(async () => {
    cluster = await startNatsCluster(ANY_STREAMS, { extraUsers: [harness] });
  }, 90_000);

  afterAll(async () => {
    const directories = cluster?.directories ?? [];
    await cluster?.stop();
    expect(directories.flatMap(processesMentioning)).toEqual([]);
    expect(directories.filter(existsSync)).toEqual([]);
  }, 60_000);

  // On the other nodes, its connection survives: only the lost consumer leader (no heartbeats, no answers to its
  // pulls) tells the consumer anything went wrong, the case that used to stall. On the leader's node, it reconnects
  // to another (learnt from the cluster) and pulls again from there.
  it.each([
    { on: "the two other nodes", leaderOnly: false },
    { on: "the node that leads it", leaderOnly: true },
  ])(
    "resumes within seconds, handling every acknowledged message, when connected to $on",
    async ({ leaderOnly }) => {
      const nats = cluster!;
      const names = uniqueStreamNames();
      const settings: ConsumerSettings = {
        ...defaultConsumerSettings,
        names,
        durable: "consumer-leader-test",
        filterSubject: `${names.subjectPrefix}.event`,
      };
      const endpoint = { ...nats.endpoint("payment"), user: harness.user, password: harness.password };
      // The publisher and the test's own look-ups: every node, reconnecting through the crash.
      const nc = await connectNats(endpoint, "consumer-leader-test-publisher");
      let consumerConnection: NatsConnection | undefined;
      let stopConsuming: (() => Promise<void>) | undefined;
      let stopPublishing: (() => Promise<void>) | undefined;
      try {
        // The stream and the durable the way the services make them: the consumer inherits the stream's replicas.
        const jsm = await jetstreamManager(nc);
        await ensureEventStreams(jsm, names, REPLICAS);
        await ensureConsumer(jsm, settings);
        expect((await jsm.consumers.info(names.stream, settings.durable)).cluster?.replicas).toHaveLength(REPLICAS - 1);

        // Killing the stream leader too would stall publishes and blur what is measured: move the consumer off it.
        const streamLeader = await nats.streamLeader(names.stream);
        if ((await nats.consumerLeader(names.stream, settings.durable)) === streamLeader) {
          await nc.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.${names.stream}.${settings.durable}`);
          await waitFor(
            () => nats.consumerLeader(names.stream, settings.durable),
            (leader) => leader !== streamLeader,
            30_000,
            "the consumer's leadership to leave the stream leader",
          );
        }
        const leader = await nats.consumerLeader(names.stream, settings.durable);

        const servers = endpoint.servers.filter((url) => (url === nats.nodeUrl(leader)) === leaderOnly);
        expect(servers).toHaveLength(leaderOnly ? 1 : 2);
        consumerConnection = await connectNats({ ...endpoint, servers }, "consumer-leader-test-consumer");
        const handledAt = new Map<string, number>();
        let deliveries = 0;
        const consumer = await startConsumer(
          jetstream(consumerConnection),
          settings,
          async (msg) => {
            deliveries++;
            const id = new TextDecoder().decode(msg.data);
            if (!handledAt.has(id)) handledAt.set(id, Date.now());
          },
          createLogger("consumer-leader-test"),
          () => {},
        );
        stopConsuming = () => consumer.stop();

        // A publish that failed is sent again with the same Nats-Msg-Id until acknowledged, as the outbox does.
        const js = jetstream(nc, { timeout: 2_000 });
        const firstSentAt = new Map<string, number>();
        const acknowledged: string[] = [];
        let next = 0;
        let pending: string | undefined;
        let publishing = true;
        const publisher = (async () => {
          while (publishing) {
            const id = (pending ??= `event-${++next}`);
            if (!firstSentAt.has(id)) firstSentAt.set(id, Date.now());
            try {
              await js.publish(settings.filterSubject, id, { msgID: id });
              acknowledged.push(id);
              pending = undefined;
              await sleep(20);
            } catch {
              await sleep(100);
            }
          }
        })();
        stopPublishing = async () => {
          publishing = false;
          await publisher;
        };
        const handledReaches = (what: string, target: number, timeoutMs = 30_000) =>
          waitFor(
            async () => handledAt.size,
            (n) => n >= target,
            timeoutMs,
            what,
          );

        await handledReaches("messages handled before the crash", 50);
        const failover = await nats.killConsumerLeader(names.stream, settings.durable);
        expect(failover.killed).toBe(leader);
        expect(failover.newLeader).not.toBe(leader);
        const resumedAt = await waitFor(
          async () =>
            Math.min(
              ...[...handledAt].filter(([id]) => (firstSentAt.get(id) ?? 0) > failover.killedAt).map(([, at]) => at),
            ),
          Number.isFinite,
          60_000,
          "a message published after the crash to be handled",
        );
        const resumeMs = resumedAt - failover.killedAt;
        console.log(
          `consumer leader ${failover.killed} (stream leader ${streamLeader}) killed, consumer connected to ` +
            `${leaderOnly ? "it" : "the others"}: new consumer leader ` +
            `${failover.newLeader} after ${failover.newLeaderAfterMs} ms; the consumer resumed after ${resumeMs} ms`,
        );
        expect(resumeMs).toBeLessThan(RESUME_BOUND_MS);

        await handledReaches("messages handled after the crash", handledAt.size + 50);
        await stopPublishing();
        const unhandled = await waitFor(
          async () => acknowledged.filter((id) => !handledAt.has(id)),
          (ids) => ids.length === 0,
          30_000,
          "every acknowledged message to be handled",
        );
        expect(unhandled).toEqual([]);
        expect([...handledAt.keys()].filter((id) => !firstSentAt.has(id))).toEqual([]);
        // Every delivery acked in the end: nothing left to redeliver.
        const info = await waitFor(
          () => jsm.consumers.info(names.stream, settings.durable),
          (i) => i.num_pending === 0 && i.num_ack_pending === 0,
          30_000,
          "the consumer to have acked everything",
        );
        expect(info.delivered.stream_seq).toBeGreaterThanOrEqual(acknowledged.length);
        console.log(
          `consumer leader failover: ${acknowledged.length} acknowledged, ${handledAt.size} handled, ` +
            `${deliveries - handledAt.size} redelivered`,
        );
        // Back to three nodes for the next case.
        await nats.start(failover.killed);
      } finally {
        await stopPublishing?.();
        await stopConsuming?.();
        await consumerConnection?.close();
        await nc.close();
      }
    },
    180_000,
  );
});
