import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterPlatform, type ClusterPlatform } from "../../scripts/infra/cluster/cluster-platform.js";
import { DEFAULT_STREAMS } from "../../services/lib/events/streams.js";
import { DEFAULT_PLATFORM_FEE_BPS } from "../../services/payment/service.js";
import { printLoad } from "./load-report.js";
import { checkMoney, NO_MONEY_PROBLEMS, type MoneyReport } from "./money-checks.js";
import { startSteadyLoad, type LoadResult, type PlatformEndpoints } from "./steady-load.js";

/**
 * Issue 17: the platform on a Patroni PostgreSQL cluster, a three-node JetStream cluster and two instances of every
 * service, under a steady load of checkouts, refunds and payouts; kill -9 the PostgreSQL primary, later the event
 * stream's leader, later one instance of each service. Every answered payment ends as the PSP has it, nothing is
 * charged, refunded or paid out twice, and the books add up.
 */
const STEADY_MS = 6_000;
const SERVICES_KILLED = ["risk", "payment", "wallet", "ledger", "reconciliation", "console"] as const;

let platform: ClusterPlatform | undefined;
let load: LoadResult | undefined;
let report: MoneyReport | undefined;
const failovers: string[] = [];

beforeAll(async () => {
  platform = await startClusterPlatform({
    instances: 2,
    // The pollers that resume what a killed instance left halfway, at test speed.
    env: {
      POLL_INTERVAL_MS: "500",
      POLL_STALE_AFTER_MS: "2000",
      PAYOUT_POLL_INTERVAL_MS: "500",
      PAYOUT_POLL_STALE_AFTER_MS: "2000",
    },
  });
}, 180_000);

afterAll(async () => {
  if (load) printLoad(load, report);
  if (failovers.length > 0) console.log(failovers.join("\n"));
  await platform?.stop();
}, 60_000);

function endpoints(p: ClusterPlatform): PlatformEndpoints {
  return {
    payment: p.shared.PAYMENT_URL!,
    wallet: p.shared.WALLET_URL!,
    ledger: p.shared.LEDGER_URL!,
    psp: { url: p.shared.PSP_URL!, apiKey: p.shared.PSP_API_KEY! },
    identities: { marketplace: p.pki.material("marketplace"), operatorTools: p.pki.material("operator-tools") },
  };
}

describe("failovers under load", () => {
  it("kill -9 the PostgreSQL primary, the stream leader, one instance of each service: nothing lost, nothing twice", async () => {
    const p = platform!;
    const running = await startSteadyLoad({
      ...endpoints(p),
      ratePerSecond: 3,
      refundShare: 0.4,
      payoutEveryMs: 1_000,
      attemptDeadlineMs: 10_000,
      giveUpAfterMs: 90_000,
    });
    await sleep(STEADY_MS);

    running.mark("kill -9 PostgreSQL primary");
    const pg = await p.pg.killPrimary();
    failovers.push(
      `PostgreSQL: primary ${pg.killed} killed, ${pg.newPrimary} took writes after ${(pg.writesBackAfterMs / 1000).toFixed(1)} s`,
    );
    running.mark(`new primary ${pg.newPrimary}`);
    await sleep(STEADY_MS);

    running.mark("kill -9 NATS stream leader");
    const nats = await p.nats.killStreamLeader(
      DEFAULT_STREAMS.stream,
      `${DEFAULT_STREAMS.subjectPrefix}.probe.failover`,
    );
    failovers.push(
      `NATS: stream leader ${nats.killed} killed, ${nats.newLeader} leads; publishes back after ${(nats.publishesBackAfterMs / 1000).toFixed(1)} s`,
    );
    running.mark(`new stream leader ${nats.newLeader}`);
    await sleep(STEADY_MS);

    running.mark("kill -9 one instance of each service");
    await Promise.all(SERVICES_KILLED.map((name) => p.instancesOf(name)[0]!.kill()));
    failovers.push(`services: killed ${SERVICES_KILLED.map((name) => p.instancesOf(name)[0]!.label).join(", ")}`);
    await sleep(STEADY_MS);

    running.mark("the killed PostgreSQL node and NATS node come back");
    await Promise.all([p.pg.restart(pg.killed), p.nats.start(nats.killed)]);
    await sleep(STEADY_MS / 2);
    load = await running.stop();

    expect(load.failures).toEqual([]);
    expect(load.internals).toBe(0);
    expect(load.refunds.length).toBeGreaterThan(0);
    expect(load.payouts.length).toBeGreaterThan(0);
    report = await checkMoney(endpoints(p), load, { platformFeeBps: DEFAULT_PLATFORM_FEE_BPS, timeoutMs: 90_000 });
    expect(report).toEqual(NO_MONEY_PROBLEMS);
  }, 420_000);
});
