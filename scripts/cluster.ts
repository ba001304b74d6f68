/**
 * The platform as a production layout runs it, on one machine: three Patroni-managed PostgreSQL nodes (synchronous
 * replication) behind HAProxy, etcd, a three-node NATS JetStream cluster, and two instances of every service behind
 * a balancer; then a demo checkout.
 *   npm run cluster                      # stays up until Ctrl-C
 *   npm run cluster -- --exit-after-demo # stops after the demo
 */
import { natsEnv } from "../services/lib/events/nats.js";
import { startClusterPlatform, type ClusterPlatform } from "./infra/cluster/cluster-platform.js";
import { printPki, printServices } from "./infra/platform-banner.js";
import type { ServiceName } from "./infra/platform-services.js";
import { runPlatform } from "./infra/run-platform.js";

process.env.LOG_LEVEL ??= "warn";
const print = (line: string) => console.log(line);
let platform: ClusterPlatform | undefined;

async function up() {
  const startedAt = Date.now();
  platform = await startClusterPlatform({ instances: 2 });
  const { pg, nats, pki, front, shared, settlementDir, instances } = platform;
  print(`PostgreSQL      ${pg.url.replace(/:[^:@/]*@/, ":***@")}  (HAProxy to the Patroni primary)`);
  for (const line of pg.addresses()) print(`  ${line}`);
  print(`NATS JetStream  ${nats.url}  (three-node cluster, streams with three replicas)`);
  for (const line of nats.addresses()) print(`  ${line}`);
  printPki(pki, print);
  const instancesOf = (name: ServiceName) => platform!.instancesOf(name).map((instance) => instance.ports);
  printServices(print, { front, instancesOf, shared, settlementDir });
  const tools = natsEnv(nats.endpoint("operator-tools"));
  print(
    `Operator tools  NATS_URL=${tools.NATS_URL} NATS_USER=${tools.NATS_USER} NATS_PASSWORD=${tools.NATS_PASSWORD} npx tsx scripts/dead-letters.ts list`,
  );
  print(`(${instances.length} service processes; up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  print("");
  return {
    urls: { paymentUrl: shared.PAYMENT_URL!, walletUrl: shared.WALLET_URL!, ledgerUrl: shared.LEDGER_URL! },
    pki,
  };
}

await runPlatform(up, async () => platform?.stop(), print);
