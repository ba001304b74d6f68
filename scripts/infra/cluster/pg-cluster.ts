import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../free-port.js";
import { getJson } from "./get-json.js";
import { startHaproxy, type RunningHaproxy } from "./haproxy.js";
import {
  childrenOf,
  DaemonExited,
  killAll,
  processesMentioning,
  startDaemon,
  stopDaemon,
  sweepOnExit,
  waitUntil,
  type Daemon,
  type RunAs,
} from "./processes.js";

export interface PgCluster {
  /** Through HAProxy to the current primary: the superuser, with a password drawn for the run, database "payments". */
  url: string;
  /** HAProxy's address (the one in url) and each node's. */
  addresses(): string[];
  /** The current leader's name, per Patroni. */
  primary(): Promise<string>;
  /** Each node's role (leader, sync_standby, replica) and state (running, streaming, ...), per Patroni's GET /cluster. */
  members(): Promise<PgMember[]>;
  /** Where it keeps its files (removed on stop): after stop, no process names it. */
  directories: string[];
  /** A crash of the primary's machine: kill -9 of its Patroni, postmaster and backends; resolves once a new primary takes a write through `url`. */
  killPrimary(): Promise<{ killed: string; newPrimary: string; writesBackAfterMs: number }>;
  /** Starts a killed node again; resolves once it runs as a replica (rewound when it had diverged). */
  restart(node: string): Promise<void>;
  /** Stops everything it started, kills what those left behind and removes its directories. */
  stop(): Promise<void>;
}

const PG_BIN = "/usr/lib/postgresql/15/bin";
const SCOPE = "payments";
const DATABASE = "payments";
const START_TIMEOUT_MS = 60_000;
const FAILOVER_TIMEOUT_MS = 60_000;
const REJOIN_TIMEOUT_MS = 60_000;

interface PgNode {
  name: string;
  dir: string;
  pgPort: number;
  restPort: number;
  config: string;
  patroni?: Daemon;
}

export interface PgMember {
  name: string;
  role: string;
  state: string;
}

/** PostgreSQL refuses to run as root: then Patroni (and etcd beside it) run as `postgres`. */
function runAsOf(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.startsWith("postgres:"));
  if (!entry)
    throw new Error(
      "running as root, and there is no `postgres` user to run PostgreSQL as (Debian's postgresql-15 package creates it)",
    );
  const [, , uid, gid] = entry.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function privateDir(path: string, runAs: RunAs | undefined): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
  return path;
}

const secret = () => randomBytes(18).toString("hex");

/** Patroni's configuration for one node (YAML is a superset of JSON). */
function patroniConfig(node: PgNode, etcdPort: number, passwords: { superuser: string; replication: string }): string {
  return JSON.stringify(
    {
      scope: SCOPE,
      name: node.name,
      log: { level: "WARNING" },
      restapi: { listen: `127.0.0.1:${node.restPort}`, connect_address: `127.0.0.1:${node.restPort}` },
      etcd3: { hosts: [`127.0.0.1:${etcdPort}`] },
      bootstrap: {
        dcs: {
          // Patroni requires loop_wait + 2 * retry_timeout <= ttl; a crashed primary's lock expires after ttl.
          ttl: 10,
          loop_wait: 1,
          retry_timeout: 4,
          maximum_lag_on_failover: 1_048_576,
          // A commit is acknowledged once a replica has it: a failover loses no acknowledged commit.
          synchronous_mode: true,
          postgresql: {
            use_pg_rewind: true,
            use_slots: true,
            // ~12 service processes with a pool of 10 each, plus tests and operators.
            parameters: {
              max_connections: 300,
              max_wal_senders: 10,
              max_replication_slots: 10,
              wal_keep_size: "128MB",
            },
          },
        },
        initdb: [{ encoding: "UTF8" }, { locale: "C" }],
      },
      postgresql: {
        listen: `127.0.0.1:${node.pgPort}`,
        connect_address: `127.0.0.1:${node.pgPort}`,
        data_dir: join(node.dir, "data"),
        bin_dir: PG_BIN,
        pgpass: join(node.dir, "pgpass"),
        // A crashed primary may have diverged: rewind it, or clone it afresh when the rewind fails.
        use_pg_rewind: true,
        remove_data_directory_on_rewind_failure: true,
        remove_data_directory_on_diverged_timelines: true,
        authentication: {
          superuser: { username: "postgres", password: passwords.superuser },
          replication: { username: "replicator", password: passwords.replication },
        },
        parameters: { unix_socket_directories: node.dir },
        // The socket is in the node's own 0700 directory; over TCP everyone gives a password.
        pg_hba: [
          "local all all trust",
          "host all all 127.0.0.1/32 scram-sha-256",
          "host replication replicator 127.0.0.1/32 scram-sha-256",
        ],
      },
    },
    null,
    2,
  );
}

/** Runs `sql` on a connection of its own: a probe must not wait on a pool whose connections died with the primary. */
async function runOnce(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000, query_timeout: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

const leaderOf = (list: PgMember[]) => list.find((m) => m.role === "leader" && m.state === "running")?.name;
const isReplica = (m: PgMember) =>
  (m.role === "replica" || m.role === "sync_standby") && (m.state === "running" || m.state === "streaming");

/** The cluster's members as the first running Patroni answers them. */
async function membersSaidBy(nodes: Iterable<PgNode>): Promise<PgMember[]> {
  for (const node of nodes) {
    if (!node.patroni || node.patroni.done) continue;
    try {
      return (await getJson<{ members: PgMember[] }>(`http://127.0.0.1:${node.restPort}/cluster`)).members;
    } catch {
      // Ask the next one.
    }
  }
  throw new Error("no Patroni node answers");
}

/** `count` nodes with their directories and Patroni configurations (`config`), on free ports. */
async function patroniNodes(
  base: string,
  count: number,
  config: (node: PgNode) => string,
  runAs: ReturnType<typeof runAsOf>,
): Promise<Map<string, PgNode>> {
  const nodes = new Map<string, PgNode>();
  for (let i = 1; i <= count; i++) {
    const name = `pg${i}`;
    const node: PgNode = {
      name,
      dir: privateDir(join(base, name), runAs),
      pgPort: await freePort(),
      restPort: await freePort(),
      config: join(base, name, "patroni.yml"),
    };
    writeFileSync(node.config, config(node), { mode: 0o600 });
    if (runAs) chownSync(node.config, runAs.uid, runAs.gid);
    nodes.set(name, node);
  }
  return nodes;
}

/** True once there is a leader, every other node replicates and one is the synchronous standby; a dead Patroni throws. */
async function everyMemberRunning(nodes: Map<string, PgNode>): Promise<true | undefined> {
  const dead = [...nodes.values()].find((n) => n.patroni?.done);
  if (dead) throw new DaemonExited(`Patroni ${dead.name} exited; see its log`);
  const list = await membersSaidBy(nodes.values());
  const ready =
    leaderOf(list) && list.filter(isReplica).length === nodes.size - 1 && list.some((m) => m.role === "sync_standby");
  return ready ? true : undefined;
}

/** True once a restarted `node` is back and the cluster counts it a running replica; its Patroni dying throws. */
async function runsAsReplica(node: PgNode, nodes: Map<string, PgNode>): Promise<true | undefined> {
  if (node.patroni?.done) throw new DaemonExited(`Patroni ${node.name} exited; see its log`);
  // Its own REST answers only once it is back (GET /cluster may still hold its entry from before the crash).
  const itself = await fetch(`http://127.0.0.1:${node.restPort}/replica`, { signal: AbortSignal.timeout(1_000) });
  return (
    (itself.ok && (await membersSaidBy(nodes.values())).some((m) => m.name === node.name && isReplica(m))) || undefined
  );
}

/** Creates the platform's database through HAProxy, once only the primary answers there. */
async function createDatabaseThroughProxy(url: string, nodeCount: number): Promise<void> {
  // HAProxy counts every server up until its first checks fail: wait until several connections in a row (round
  // robin over every node) reach the primary alone.
  await waitUntil("only the primary to answer through HAProxy", START_TIMEOUT_MS, async () => {
    for (let i = 0; i < 2 * nodeCount; i++) await runOnce(url, "SELECT txid_current()");
    return true;
  });
  await runOnce(url, `CREATE DATABASE ${DATABASE}`);
}

function addresses(nodes: Map<string, PgNode>, proxyPort: number, etcdClientPort: number): string[] {
  return [
    `postgres://127.0.0.1:${proxyPort} (HAProxy to the primary)`,
    ...[...nodes.values()].map(
      (n) => `${n.name}: postgres://127.0.0.1:${n.pgPort}, Patroni REST http://127.0.0.1:${n.restPort}`,
    ),
    `etcd: http://127.0.0.1:${etcdClientPort}`,
  ];
}

/** A single-member etcd on `ports`, once it reports healthy. */
async function startEtcd(
  base: string,
  ports: { client: number; peer: number },
  opts: { runAs: ReturnType<typeof runAsOf>; log?: (line: string) => void },
): Promise<Daemon> {
  const etcdUrl = (port: number) => `http://127.0.0.1:${port}`;
  const args = {
    name: "etcd1",
    "data-dir": join(base, "etcd"),
    "listen-client-urls": etcdUrl(ports.client),
    "advertise-client-urls": etcdUrl(ports.client),
    "listen-peer-urls": etcdUrl(ports.peer),
    "initial-advertise-peer-urls": etcdUrl(ports.peer),
    "initial-cluster": `etcd1=${etcdUrl(ports.peer)}`,
    "initial-cluster-state": "new",
    "log-level": "warn",
  };
  const etcd = startDaemon(
    "etcd",
    "etcd",
    Object.entries(args).flatMap(([flag, value]) => [`--${flag}`, value]),
    { runAs: opts.runAs, cwd: base, log: opts.log },
  );
  await waitUntil("etcd to be healthy", START_TIMEOUT_MS, async () => {
    if (etcd.done) throw new DaemonExited("etcd exited; see its log");
    return (await getJson<{ health: string }>(`${etcdUrl(ports.client)}/health`)).health === "true" || undefined;
  });
  return etcd;
}

/** HAProxy on `port` to whichever node Patroni's REST API calls the primary. */
function startPrimaryProxy(
  nodes: Map<string, PgNode>,
  port: number,
  log: ((line: string) => void) | undefined,
): Promise<RunningHaproxy> {
  const restPortOf = (name: string) => {
    const node = nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node.restPort;
  };
  const backends = [...nodes.values()].map((n) => ({ name: n.name, host: "127.0.0.1", port: n.pgPort }));
  return startHaproxy(
    [
      {
        name: "postgres_primary",
        port,
        backends,
        check: { kind: "http", path: "/primary", port: (b) => restPortOf(b.name) },
      },
    ],
    { log },
  );
}

/** kill -9 of the node's Patroni, postmaster and their children together: killing one alone is no crash. */
async function crash(node: PgNode, patroni: Daemon): Promise<void> {
  // Patroni starts the postmaster in a session of its own, and each backend leads a process group: gather them one by one.
  const postmaster = Number(readFileSync(join(node.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  await killAll([patroni.pid, ...childrenOf(patroni.pid), postmaster, ...childrenOf(postmaster)]);
  await patroni.exited;
}

/** One etcd, three Patroni-managed PostgreSQL 15 nodes with synchronous replication, and HAProxy in front of the primary. */
export async function startPgCluster(opts: { nodes?: number; log?: (line: string) => void } = {}): Promise<PgCluster> {
  const log = opts.log;
  const runAs = runAsOf();
  const base = mkdtempSync(join(tmpdir(), "payment-platform-pg-cluster-"));
  privateDir(base, runAs);
  const forget = sweepOnExit(base);
  const passwords = { superuser: secret(), replication: secret() };
  const [etcdClientPort, etcdPeerPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
  const nodes = await patroniNodes(
    base,
    opts.nodes ?? 3,
    (node) => patroniConfig(node, etcdClientPort, passwords),
    runAs,
  );
  const superuserUrl = (database: string) =>
    `postgres://postgres:${passwords.superuser}@127.0.0.1:${proxyPort}/${database}`;
  let etcd: Daemon | undefined;
  let proxy: RunningHaproxy | undefined;

  const startPatroni = (node: PgNode) => {
    // Patroni reads PATRONI_* variables as configuration: it gets none but these.
    const env = { PATH: process.env.PATH, HOME: node.dir, LANG: "C.UTF-8" };
    node.patroni = startDaemon(node.name, "patroni", [node.config], { runAs, cwd: node.dir, env, log });
  };

  const members = () => membersSaidBy(nodes.values());

  const stop = async () => {
    await proxy?.stop();
    await Promise.all([...nodes.values()].map((node) => (node.patroni ? stopDaemon(node.patroni, 10_000) : undefined)));
    if (etcd) await stopDaemon(etcd);
    // What Patroni started in sessions of their own (postmasters, and the backends of one it could not stop).
    const leftovers = processesMentioning(base);
    await killAll([...leftovers, ...leftovers.flatMap(childrenOf)]);
    rmSync(base, { recursive: true, force: true });
    forget();
  };

  try {
    const started = Date.now();
    etcd = await startEtcd(base, { client: etcdClientPort, peer: etcdPeerPort }, { runAs, log });
    for (const node of nodes.values()) startPatroni(node);
    await waitUntil(
      "a Patroni leader and every replica running",
      START_TIMEOUT_MS,
      () => everyMemberRunning(nodes),
      200,
    );
    proxy = await startPrimaryProxy(nodes, proxyPort, log);
    await createDatabaseThroughProxy(superuserUrl("postgres"), nodes.size);
    log?.(`PostgreSQL cluster up in ${Date.now() - started} ms`);
  } catch (err) {
    await stop().catch((stopErr) => log?.(`stopping after a failed start: ${String(stopErr)}`));
    throw err;
  }

  const url = superuserUrl(DATABASE);
  const primary = async () => {
    const leader = leaderOf(await members());
    if (!leader) throw new Error("the PostgreSQL cluster has no leader now");
    return leader;
  };
  return {
    url,
    addresses: () => addresses(nodes, proxyPort, etcdClientPort),
    primary,
    members,
    directories: [base],
    killPrimary: async () => {
      const killed = await primary();
      const node = nodes.get(killed);
      if (!node?.patroni) throw new Error(`the primary ${killed} is not a running node of this cluster`);
      const crashed = Date.now();
      await crash(node, node.patroni);
      const newPrimary = await waitUntil(
        "a new primary to take a write through HAProxy",
        FAILOVER_TIMEOUT_MS,
        async () => {
          await runOnce(url, "SELECT txid_current()");
          const leader = await primary();
          return leader !== killed ? leader : undefined;
        },
      );
      return { killed, newPrimary, writesBackAfterMs: Date.now() - crashed };
    },
    restart: async (name) => {
      const node = nodes.get(name);
      if (!node) throw new Error(`no node ${name}; the nodes are ${[...nodes.keys()].join(", ")}`);
      if (node.patroni && !node.patroni.done) throw new Error(`${name} is running`);
      startPatroni(node);
      await waitUntil(`${name} to run as a replica`, REJOIN_TIMEOUT_MS, () => runsAsReplica(node, nodes), 200);
    },
    stop,
  };
}
