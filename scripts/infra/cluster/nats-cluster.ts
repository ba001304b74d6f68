import { randomBytes } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { inboxPrefixOf, natsConnectOptions } from "../../../services/lib/events/nats.js";
import { freePort } from "../free-port.js";
import { getJson } from "./get-json.js";
import { randomNatsPasswords, type NatsAuthScope, type NatsUserEntry } from "../nats-auth.js";
import { natsServerFiles, requireNatsServer, waitUntilUp, type NatsServerFiles, type RunningNats } from "../nats.js";
import {
  killAll,
  processesMentioning,
  startDaemon,
  stopDaemon,
  sweepOnExit,
  waitUntil,
  type Daemon,
} from "./processes.js";

export interface NatsCluster extends RunningNats {
  addresses(): string[];
  /** The client URL of the node named `node`, e.g. to connect to every node but one. */
  nodeUrl(node: string): string;
  /** Where its nodes keep their configuration and stores (removed on stop): after stop, no process names them. */
  directories: string[];
  /** The server name of the stream's leader. */
  streamLeader(stream: string): Promise<string>;
  /**
   * kill -9 of the stream leader's server; resolves once another leads and a publish on `subject` is acknowledged.
   * That publish is stored in the stream: give a subject the stream takes and no consumer reads.
   */
  killStreamLeader(
    stream: string,
    subject: string,
  ): Promise<{ killed: string; newLeader: string; publishesBackAfterMs: number }>;
  /** The server name of the leader of the stream's consumer `durable`. */
  consumerLeader(stream: string, durable: string): Promise<string>;
  /**
   * kill -9 of the server that leads the consumer `durable`; resolves once the nodes left name another leader.
   * `killedAt` is when the kill was sent (epoch ms).
   */
  killConsumerLeader(
    stream: string,
    durable: string,
  ): Promise<{ killed: string; newLeader: string; killedAt: number; newLeaderAfterMs: number }>;
  /** Starts a killed node again with its store; resolves once it reports healthy (its streams caught up). */
  start(node: string): Promise<void>;
}

interface NatsNode {
  name: string;
  port: number;
  monitorPort: number;
  files: NatsServerFiles;
  server?: Daemon;
}

interface Replicated {
  name: string;
  cluster?: { leader?: string };
}

interface Jsz {
  meta_cluster?: { leader?: string };
  account_details?: { stream_detail?: (Replicated & { consumer_detail?: Replicated[] })[] }[];
}

/** A stream, or one of its consumers: what a leader is asked of. */
interface Led {
  stream: string;
  durable?: string;
}

const describeLed = ({ stream, durable }: Led) =>
  durable ? `consumer ${durable} of stream ${stream}` : `stream ${stream}`;

const CLUSTER = "payments";
const START_TIMEOUT_MS = 30_000;
const FAILOVER_TIMEOUT_MS = 60_000;
// The cluster's own user: it publishes the probe that tells a stream takes writes again.
const PROBE = "cluster-probe";

const secret = () => randomBytes(18).toString("base64url");
const quoted = (s: string) => JSON.stringify(s);

/** `count` nodes on free ports, each with its configuration (`files`), routed to every other with the route's credentials. */
async function clusterNodes(
  count: number,
  route: { user: string; password: string },
  files: (port: number, lines: string[]) => NatsServerFiles,
): Promise<Map<string, NatsNode>> {
  const ports = [];
  for (let i = 1; i <= count; i++)
    ports.push({
      name: `nats${i}`,
      port: await freePort(),
      routePort: await freePort(),
      monitorPort: await freePort(),
    });
  const routes = ports.map((p) => quoted(`nats-route://${route.user}:${route.password}@127.0.0.1:${p.routePort}`));
  return new Map(
    ports.map(({ name, port, routePort, monitorPort }) => {
      const lines = [
        `server_name: ${quoted(name)}`,
        `http: ${quoted(`127.0.0.1:${monitorPort}`)}`,
        `cluster {\n  name: ${CLUSTER}\n  listen: ${quoted(`127.0.0.1:${routePort}`)}`,
        `  authorization { user: ${quoted(route.user)}, password: ${quoted(route.password)} }`,
        `  routes: [${routes.join(", ")}]\n}`,
      ];
      return [name, { name, port, monitorPort, files: files(port, lines) }];
    }),
  );
}

const jsz = (node: NatsNode, query = "") => getJson<Jsz>(`http://127.0.0.1:${node.monitorPort}/jsz${query}`);

/** What the `running` nodes say leads the stream or consumer (they agree once an election is over). */
async function leaderSaidBy(running: NatsNode[], led: Led): Promise<string | undefined> {
  const query = `?accounts=true&streams=true${led.durable ? "&consumers=true" : ""}`;
  for (const node of running) {
    try {
      const details = (await jsz(node, query)).account_details ?? [];
      const stream = details.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === led.stream);
      const leader = led.durable
        ? stream?.consumer_detail?.find((c) => c.name === led.durable)?.cluster?.leader
        : stream?.cluster?.leader;
      if (leader) return leader;
    } catch {
      // Ask the next one.
    }
  }
  return undefined;
}

/** kill -9 of `node`'s server; resolves with when the kill was sent, once the process is gone. */
async function crash(node: NatsNode): Promise<number> {
  const server = node.server;
  if (!server || server.done) throw new Error(`${node.name} is not running`);
  const killedAt = Date.now();
  await killAll([server.pid]);
  await server.exited;
  return killedAt;
}

/** Resolves once the nodes agree that another node than `killed` leads. */
const newLeader = (killed: string, led: Led, leaderNow: (led: Led) => Promise<string | undefined>) =>
  waitUntil(`the nodes to agree on a new leader of ${describeLed(led)}`, FAILOVER_TIMEOUT_MS, async () => {
    const leader = await leaderNow(led);
    return leader !== killed ? leader : undefined;
  });

interface LeaderKill {
  node: NatsNode;
  /** The probe user, connecting to the nodes that stay up. */
  probeUser: { servers: string[]; user: string; password: string };
  stream: string;
  subject: string;
}

/** kill -9 of the stream leader `node`; resolves once a publish is acknowledged again and another node leads. */
async function killStreamLeaderNode(
  { node, probeUser, stream, subject }: LeaderKill,
  leaderNow: (led: Led) => Promise<string | undefined>,
) {
  const nc = await connect({ ...natsConnectOptions(probeUser, PROBE), maxReconnectAttempts: -1 });
  try {
    const js = jetstream(nc, { timeout: 1_000 });
    const crashed = await crash(node);
    await waitUntil(`a publish on ${subject} to be acknowledged after ${node.name} died`, FAILOVER_TIMEOUT_MS, () =>
      js.publish(subject, "failover probe").then(() => true),
    );
    const publishesBackAfterMs = Date.now() - crashed;
    return { killed: node.name, newLeader: await newLeader(node.name, { stream }, leaderNow), publishesBackAfterMs };
  } finally {
    await nc.close();
  }
}

/**
 * Three JetStream nats-servers in one cluster, each with the single server's users and permissions; streams get
 * their replicas from whoever creates them (num_replicas 3).
 */
export async function startNatsCluster(
  scope: NatsAuthScope,
  opts: { nodes?: number; extraUsers?: NatsUserEntry[]; log?: (line: string) => void } = {},
): Promise<NatsCluster> {
  requireNatsServer();
  const passwords = randomNatsPasswords();
  const probe: NatsUserEntry = {
    user: PROBE,
    password: secret(),
    permissions: { publish: [">"], subscribe: [`${inboxPrefixOf(PROBE)}.>`] },
  };
  // Routes authenticate too: anyone on the machine reaches 127.0.0.1, and a route sees every message.
  const route = { user: "route", password: secret() };
  const nodes = await clusterNodes(opts.nodes ?? 3, route, (port, lines) =>
    natsServerFiles(port, scope, [probe, ...(opts.extraUsers ?? [])], { passwords, lines }),
  );
  const forget = [...nodes.values()].map((n) => sweepOnExit(n.files.dir));
  const urlOf = (node: NatsNode) => `nats://127.0.0.1:${node.port}`;
  const servers = [...nodes.values()].map(urlOf);
  const running = () => [...nodes.values()].filter((n) => n.server && !n.server.done);

  const launch = async (node: NatsNode) => {
    node.server = startDaemon(node.name, "nats-server", node.files.args, { log: opts.log });
    await waitUntilUp(urlOf(node), Date.now() + START_TIMEOUT_MS);
  };
  const stop = async () => {
    await Promise.all([...nodes.values()].map((n) => (n.server ? stopDaemon(n.server) : undefined)));
    await killAll([...nodes.values()].flatMap((n) => processesMentioning(n.files.dir)));
    for (const node of nodes.values()) node.files.remove();
    for (const f of forget) f();
  };

  try {
    const started = Date.now();
    await Promise.all([...nodes.values()].map(launch));
    await waitUntil(
      "every NATS node to know the JetStream meta leader",
      START_TIMEOUT_MS,
      async () => (await Promise.all(running().map((n) => jsz(n)))).every((z) => z.meta_cluster?.leader) || undefined,
    );
    opts.log?.(`NATS cluster up in ${Date.now() - started} ms`);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }

  const leaderNow = (led: Led) => leaderSaidBy(running(), led);
  // A busy machine can be between elections when asked: wait for one to be named rather than fail at once.
  const leaderOf = (led: Led) =>
    waitUntil(
      `a NATS node to name a leader of ${describeLed(led)}`,
      START_TIMEOUT_MS,
      async () => (await leaderNow(led)) || undefined,
    );
  const runningNode = async (led: Led) => {
    const name = await leaderOf(led);
    const node = nodes.get(name);
    if (!node?.server)
      throw new Error(`the leader ${name} of ${describeLed(led)} is not a running node of this cluster`);
    return node;
  };

  const nodeNamed = (name: string) => {
    const node = nodes.get(name);
    if (!node) throw new Error(`no node ${name}; the nodes are ${[...nodes.keys()].join(", ")}`);
    return node;
  };

  return {
    url: servers.join(","),
    origin: `a ${nodes.size}-node nats-server cluster on ports ${[...nodes.values()].map((n) => n.port).join(", ")}, a user per service`,
    endpoint: (user) => ({ servers, user, password: passwords[user] }),
    directories: [...nodes.values()].map((n) => n.files.dir),
    nodeUrl: (name) => urlOf(nodeNamed(name)),
    addresses: () =>
      [...nodes.values()].map((n) => `${n.name}: ${urlOf(n)}, monitoring http://127.0.0.1:${n.monitorPort}`),
    streamLeader: (stream) => leaderOf({ stream }),
    killStreamLeader: async (stream, subject) => {
      const node = await runningNode({ stream });
      const survivors = [...nodes.values()].filter((n) => n !== node).map(urlOf);
      const probeUser = { servers: survivors, user: PROBE, password: probe.password };
      return killStreamLeaderNode({ node, probeUser, stream, subject }, leaderNow);
    },
    consumerLeader: (stream, durable) => leaderOf({ stream, durable }),
    killConsumerLeader: async (stream, durable) => {
      const node = await runningNode({ stream, durable });
      const killedAt = await crash(node);
      const leader = await newLeader(node.name, { stream, durable }, leaderNow);
      return { killed: node.name, newLeader: leader, killedAt, newLeaderAfterMs: Date.now() - killedAt };
    },
    start: async (name) => {
      const node = nodeNamed(name);
      if (node.server && !node.server.done) throw new Error(`${name} is running`);
      await launch(node);
      // 200 once JetStream is current on this node: the meta leader known and its streams caught up.
      await waitUntil(`${name} to report healthy`, START_TIMEOUT_MS, () =>
        fetch(`http://127.0.0.1:${node.monitorPort}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
          (r) => r.ok || undefined,
        ),
      );
    },
    stop,
  };
}
