import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { streamNamesFromEnv } from "../../../services/lib/events/streams.js";
import { HEALTH_PATH } from "../../../services/lib/health.js";
import { issueDevPki, type DevPki } from "../../../services/lib/tls/dev-ca.js";
import { freePort } from "../free-port.js";
import { scopeOf } from "../nats-auth.js";
import {
  PLATFORM_SERVICES,
  serviceUrlEnv,
  sharedServiceEnv,
  startServiceInstance,
  type PortMap,
  type ServiceName,
  type ServiceSpec,
} from "../platform-services.js";
import type { ServiceProcess } from "../service-process.js";
import { Teardown } from "../teardown.js";
import { startHaproxy, type HaproxyFrontend } from "./haproxy.js";
import { startNatsCluster, type NatsCluster } from "./nats-cluster.js";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

/** Not the platform's to replicate: the PSP simulator (holding its state in memory) and the marketplace's demo shop. */
const OUTSIDE_PARTIES: readonly ServiceName[] = ["psp", "merchant"];

/** One process of one service, on ports of its own, which a test may kill and start again. */
export class ServiceInstance {
  private process: ServiceProcess | undefined;

  constructor(
    readonly spec: ServiceSpec,
    readonly label: string,
    readonly ports: PortMap,
    private readonly launch: (spec: ServiceSpec, ports: PortMap, label: string) => Promise<ServiceProcess>,
  ) {}

  get running(): boolean {
    return this.process !== undefined;
  }

  async start(): Promise<void> {
    if (!this.process) this.process = await this.launch(this.spec, this.ports, this.label);
  }

  /** SIGKILL by default: a crash. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const process = this.process;
    this.process = undefined;
    await (signal === "SIGTERM" ? process?.stop() : process?.kill(signal));
  }
}

export interface ClusterPlatform {
  pg: PgCluster;
  nats: NatsCluster;
  pki: DevPki;
  /** The balancer's frontends: where callers reach each service, port variable -> port. */
  front: PortMap;
  /** The environment every instance shares (URLs, secrets). */
  shared: NodeJS.ProcessEnv;
  settlementDir: string;
  instances: ServiceInstance[];
  instancesOf(name: ServiceName): ServiceInstance[];
  stop(): Promise<void>;
}

export interface ClusterPlatformOptions {
  /** Of every service but the outside parties (one each). */
  instances?: number;
  /** Added to every instance's environment (e.g. shorter poller intervals for a test). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** Every service's ports for one instance, each a free one. */
async function freePorts(spec: ServiceSpec): Promise<PortMap> {
  const ports: PortMap = {};
  for (const port of spec.ports) ports[port.variable] = await freePort();
  return ports;
}

/** Starts all of `starts`; when one fails, closes those that started (via `teardown`) and throws. */
async function startTogether<T>(
  teardown: Teardown,
  starts: { start: () => Promise<T>; close: (started: T) => Promise<void> }[],
): Promise<T[]> {
  const settled = await Promise.allSettled(starts.map((s) => s.start()));
  settled.forEach((result, i) => {
    if (result.status === "fulfilled") teardown.add(result.value, starts[i]!.close);
  });
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/**
 * On one machine, what a production layout runs on several: three Patroni-managed PostgreSQL nodes behind HAProxy,
 * a three-node JetStream cluster (streams with three replicas), and `instances` processes of every service behind
 * a balancer (HAProxy, TCP: mTLS runs end to end between caller and instance; it checks each instance's GET /healthz).
 */
export async function startClusterPlatform(options: ClusterPlatformOptions = {}): Promise<ClusterPlatform> {
  const count = options.instances ?? 2;
  const log = options.log ?? (() => {});
  const teardown = new Teardown();
  try {
    const [pg, nats] = (await startTogether<PgCluster | NatsCluster>(teardown, [
      { start: () => startPgCluster({ log }), close: (c) => c.stop() },
      { start: () => startNatsCluster(scopeOf(streamNamesFromEnv())), close: (c) => c.stop() },
    ])) as [PgCluster, NatsCluster];
    const pkiDir = teardown.add(mkdtempSync(join(tmpdir(), "payments-cluster-pki-")), (dir) =>
      rm(dir, { recursive: true, force: true }),
    );
    const pki = await issueDevPki(pkiDir);
    const settlementDir = teardown.add(mkdtempSync(join(tmpdir(), "payments-cluster-settlements-")), (dir) =>
      rm(dir, { recursive: true, force: true }),
    );

    const instancePorts = new Map<ServiceSpec, PortMap[]>();
    const front: PortMap = {};
    const frontends: HaproxyFrontend[] = [];
    for (const spec of PLATFORM_SERVICES) {
      const replicas = OUTSIDE_PARTIES.includes(spec.name) ? 1 : count;
      const ports: PortMap[] = [];
      for (let i = 0; i < replicas; i++) ports.push(await freePorts(spec));
      instancePorts.set(spec, ports);
      for (const port of spec.ports.filter((p) => p.role === "callers")) {
        if (replicas === 1) {
          front[port.variable] = ports[0]![port.variable]!;
          continue;
        }
        front[port.variable] = await freePort();
        const { health } = spec;
        frontends.push({
          name: port.variable.toLowerCase(),
          port: front[port.variable]!,
          backends: ports.map((p, i) => ({ name: `${spec.name}${i + 1}`, host: "127.0.0.1", port: p[port.variable]! })),
          // An instance whose health says NOT_SERVING (its database does not answer) gets no new connections.
          check: health
            ? {
                kind: "http",
                path: HEALTH_PATH,
                port: (b) => ports.find((p) => p[port.variable] === b.port)![health]!,
              }
            : { kind: "tcp" },
          replicas: true,
        });
      }
    }
    const balancer = teardown.add(await startHaproxy(frontends, { stats: true }), (started) => started.stop());

    const shared: NodeJS.ProcessEnv = {
      ...sharedServiceEnv(pg.url, settlementDir),
      ...serviceUrlEnv(front),
      EVENTS_STREAM_REPLICAS: "3",
      ...options.env,
    };
    const launch = (spec: ServiceSpec, ports: PortMap, label: string) =>
      startServiceInstance(spec, ports, { shared, pki, nats }, label);
    const instances = [...instancePorts].flatMap(([spec, ports]) =>
      ports.map(
        (p, i) =>
          new ServiceInstance(spec, ports.length > 1 ? `${spec.title.trim()} #${i + 1}` : spec.title.trim(), p, launch),
      ),
    );
    await startTogether(
      teardown,
      instances.map((instance) => ({
        start: () => instance.start().then(() => instance),
        close: (started: ServiceInstance) => started.kill("SIGTERM"),
      })),
    );
    // Up means callers get through: the balancer's checks have seen every instance serve.
    await balancer.allUp(10_000);
    log(`${instances.length} service processes started`);
    return {
      pg,
      nats,
      pki,
      front,
      shared,
      settlementDir,
      instances,
      instancesOf: (name) => instances.filter((instance) => instance.spec.name === name),
      stop: () => teardown.run(),
    };
  } catch (err) {
    await teardown.run().catch(() => {});
    throw err;
  }
}
