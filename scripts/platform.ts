/**
 * Brings the whole platform up on this machine, each service in a process of its own, and runs a demo checkout:
 *   npm start                      # stays up until Ctrl-C
 *   npm start -- --exit-after-demo # stops after the demo (exit code 0 when it succeeded)
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { envInt, envString } from "../services/lib/config.js";
import { issueDevPki } from "../services/lib/tls/dev-ca.js";
import { natsConnectOptions, natsEnv } from "../services/lib/events/nats.js";
import { streamNamesFromEnv } from "../services/lib/events/streams.js";
import { freePort } from "./infra/free-port.js";
import { scopeOf } from "./infra/nats-auth.js";
import { ensureNats } from "./infra/nats.js";
import { printPki, printServices } from "./infra/platform-banner.js";
import {
  PLATFORM_SERVICES,
  serviceUrlEnv,
  sharedServiceEnv,
  startServiceInstance,
  type PortMap,
} from "./infra/platform-services.js";
import { ensurePostgres } from "./infra/postgres.js";
import { runPlatform } from "./infra/run-platform.js";

process.env.LOG_LEVEL ??= "warn";
const print = (line: string) => console.log(line);
const stops: (() => Promise<void>)[] = [];
const stopAll = async () => {
  for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(err));
};

/** The port an environment variable asks for (0: any free one, chosen now so that the others can be told it). */
async function portFrom(name: string, fallback: number): Promise<number> {
  const port = envInt(name, fallback);
  return port === 0 ? freePort() : port;
}

async function up() {
  const postgres = await ensurePostgres();
  stops.push(postgres.stop);
  print(`PostgreSQL      ${postgres.url.replace(/:[^:@/]*@/, ":***@")}  (${postgres.origin})`);

  const nats = await ensureNats(scopeOf(streamNamesFromEnv()));
  stops.push(nats.stop);
  const nc = await connect(natsConnectOptions(nats.endpoint("payment"), "platform-check"));
  const js = await jetstreamManager(nc);
  await js.getAccountInfo();
  await nc.close();
  print(`NATS JetStream  ${nats.url}  (${nats.origin})`);

  const pki = await issueDevPki(process.env.PKI_DIR ?? mkdtempSync(join(tmpdir(), "payments-pki-")));
  printPki(pki, print);

  const ports: PortMap = {};
  for (const spec of PLATFORM_SERVICES)
    for (const port of spec.ports) ports[port.variable] = await portFrom(port.variable, port.fallback);
  const settlementDir = envString("SETTLEMENT_DIR", "") || mkdtempSync(join(tmpdir(), "payment-platform-settlements-"));
  if (!process.env.SETTLEMENT_DIR) stops.push(() => rm(settlementDir, { recursive: true, force: true }));
  // Every service reads its configuration from the environment, as its main.ts does in production.
  const shared = { ...sharedServiceEnv(postgres.url, settlementDir), ...serviceUrlEnv(ports) };
  const services = await Promise.all(
    PLATFORM_SERVICES.map((spec) => startServiceInstance(spec, ports, { shared, pki, nats })),
  );
  for (const service of services) stops.push(service.stop);
  printServices(print, { front: ports, instancesOf: () => [ports], shared, settlementDir });
  const tools = natsEnv(nats.endpoint("operator-tools"));
  print(
    `Operator tools  NATS_URL=${tools.NATS_URL} NATS_USER=${tools.NATS_USER} NATS_PASSWORD=${tools.NATS_PASSWORD} npx tsx scripts/dead-letters.ts list`,
  );
  print(`(each service in a process of its own: ${services.map((s) => s.pid).join(", ")})`);
  print("");
  return {
    urls: { paymentUrl: shared.PAYMENT_URL!, walletUrl: shared.WALLET_URL!, ledgerUrl: shared.LEDGER_URL! },
    pki,
  };
}

await runPlatform(up, stopAll, print);
