import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acceptsConnections } from "../accepts.js";
import { freePort } from "../free-port.js";
import { DaemonExited, startDaemon, stopDaemon, sweepOnExit, waitUntil } from "./processes.js";

export interface HaproxyBackend {
  name: string;
  host: string;
  port: number;
}

/** A TCP frontend (TLS passes through: the services do mTLS end to end) over backends that pass `check`. */
export interface HaproxyFrontend {
  name: string;
  port: number;
  backends: HaproxyBackend[];
  /** "http": a backend is up while GET `path` on its `port` (e.g. Patroni's REST port) answers 200. */
  check: { kind: "tcp" } | { kind: "http"; path: string; port?: (backend: HaproxyBackend) => number };
  /**
   * The backends are replicas of a stateless service, not the nodes of a store: one marked down keeps the
   * connections it has (the calls it holds through a store outage finish there), and when all are down they get
   * new connections all the same (a check failing everywhere is the shared store's outage, which the instances wait
   * out: refusing callers would turn it into failed calls). Otherwise a backend marked down has its connections
   * closed (a demoted primary must lose its clients) and, all down, new ones are refused.
   */
  replicas?: boolean;
}

export interface RunningHaproxy {
  stop(): Promise<void>;
  statsUrl?: string;
  /** With stats on: resolves once HAProxy's checks count every backend server up. */
  allUp(timeoutMs: number): Promise<void>;
}

/** The servers (not the frontend and backend totals) of HAProxy's CSV stats that are not UP: "backend/server status". */
async function serversNotUp(statsUrl: string): Promise<string[]> {
  const [header, ...rows] = (await (await fetch(`${statsUrl};csv`)).text())
    .replace(/^# /, "")
    .trim()
    .split("\n")
    .map((line) => line.split(","));
  const [proxy, server, status] = ["pxname", "svname", "status"].map((name) => header!.indexOf(name));
  return (
    rows
      .filter((row) => row[server!] !== "FRONTEND" && row[server!] !== "BACKEND" && row[proxy!] !== "stats")
      // The unchecked fallbacks of replicas (see HaproxyFrontend) have no state of their own.
      .filter((row) => !row[status!]!.startsWith("UP") && row[status!] !== "no check")
      .map((row) => `${row[proxy!]}/${row[server!]} ${row[status!]}`)
  );
}

const START_TIMEOUT_MS = 10_000;

function frontendConfig({ name, port, backends, check, replicas }: HaproxyFrontend): string {
  const servers = backends.map((b) => {
    const checkPort = check.kind === "http" && check.port ? ` port ${check.port(b)}` : "";
    return `  server ${b.name} ${b.host}:${b.port} check${checkPort}`;
  });
  const httpCheck =
    check.kind === "http" ? [`  option httpchk GET ${check.path}`, "  http-check expect status 200"] : [];
  // Used only while every checked server is down; `retries` and `redispatch` pass over one that is not listening.
  const fallbacks = replicas
    ? ["  option allbackups", ...backends.map((b) => `  server ${b.name}-unchecked ${b.host}:${b.port} backup`)]
    : [];
  return [
    `frontend ${name}`,
    `  bind 127.0.0.1:${port}`,
    `  default_backend ${name}`,
    `backend ${name}`,
    ...httpCheck,
    // A replica's health asks its database, within 1.5 s (HEALTH_PROBE_TIMEOUT_MS).
    ...(replicas ? ["  timeout check 2s"] : []),
    // A backend that dies or stops being the primary is out within a second; a store node's clients' connections
    // are closed so that they reconnect to the one that took over.
    `  default-server inter 500ms fastinter 250ms fall 2 rise 1${replicas ? "" : " on-marked-down shutdown-sessions"}`,
    ...servers,
    ...fallbacks,
  ].join("\n");
}

function haproxyConfig(frontends: HaproxyFrontend[], statsPort?: number): string {
  const stats = statsPort
    ? [
        "frontend stats",
        "  mode http",
        `  bind 127.0.0.1:${statsPort}`,
        "  stats enable",
        "  stats uri /",
        "  stats refresh 2s",
      ]
    : [];
  return [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode tcp",
    "  timeout connect 2s",
    "  timeout check 1s",
    // HTTP/2 and PostgreSQL sessions stay open (and idle) for long: the clients' keepalives decide, not the proxy.
    "  timeout client 1h",
    "  timeout server 1h",
    "  retries 3",
    "  option redispatch",
    ...frontends.map(frontendConfig),
    ...stats,
    "",
  ].join("\n");
}

/** A haproxy from a generated configuration (in a directory of its own, removed on stop); resolves once it listens on every frontend. */
export async function startHaproxy(
  frontends: HaproxyFrontend[],
  opts: { stats?: boolean; log?: (line: string) => void } = {},
): Promise<RunningHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), "payment-platform-haproxy-"));
  const statsPort = opts.stats ? await freePort() : undefined;
  const config = join(dir, "haproxy.cfg");
  writeFileSync(config, haproxyConfig(frontends, statsPort));
  const forget = sweepOnExit(dir);
  const daemon = startDaemon("haproxy", "haproxy", ["-db", "-f", config], { log: opts.log });
  const stop = async () => {
    await stopDaemon(daemon);
    rmSync(dir, { recursive: true, force: true });
    forget();
  };
  try {
    await waitUntil("haproxy to listen", START_TIMEOUT_MS, async () => {
      if (daemon.done) throw new DaemonExited("haproxy exited; see its log");
      return (await Promise.all(frontends.map((f) => acceptsConnections(f.port)))).every(Boolean) || undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const statsUrl = statsPort ? `http://127.0.0.1:${statsPort}/` : undefined;
  const allUp = async (timeoutMs: number) => {
    if (!statsUrl) throw new Error("allUp needs haproxy started with stats");
    await waitUntil(
      "every backend server to be up in haproxy",
      timeoutMs,
      async () => ((await serversNotUp(statsUrl)).length === 0 ? true : undefined),
      200,
    );
  };
  return { stop, statsUrl, allUp };
}
