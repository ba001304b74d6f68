import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { startFaultPlatform, type FaultPlatform } from "../support/fault-platform.js";
import type { PaymentInstance } from "../support/payment-process.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { json, waitFor } from "../support/wait.js";
import { expectedWalletBalances, grossSucceeded, ledgerBalance, walletBalances } from "./books.js";
import { FaultDriver, type Phase } from "./fault-driver.js";
import { newCheckout } from "./journeys.js";
import { reconcile, type Reconciliation } from "./reconciliation.js";
import { RetryingPaymentClient } from "./retrying-payment-client.js";
import { faultRandomness, faultSeed } from "./seed.js";
import { totalsLine, webhookFaults } from "./totals.js";
import { FINAL_STATUSES, listOurPayments, listPspPayments, listWebhookDeliveries } from "./views.js";

/**
 * Issue 4, item 6: kill -9 the payment service at chosen points, restart NATS mid-stream, drop, duplicate and
 * reorder webhooks; afterwards every order is charged at most once, every payment is final and agrees with the
 * PSP, and the books are clean. FAULT_SEED replays a run's random choices (see seed.ts).
 */
const SEED = faultSeed();
const random = faultRandomness(SEED);
const PHASES: Phase[] = [
  {
    name: "kill -9 after the PSP registered a payment, before we recorded it",
    instances: 1,
    failpoint: { name: "payment.after-psp-register", hit: 3 },
  },
  {
    name: "kill -9 after CreatePayment's writes, before its response",
    instances: 1,
    failpoint: { name: "payment.before-create-response", hit: 3 },
  },
  {
    name: "kill -9 after an event is published, before it is marked published",
    instances: 1,
    failpoint: { name: "payment.relay-after-publish", hit: 4 },
  },
  {
    name: "kill -9 of one of two instances before it applies a webhook",
    instances: 2,
    failpoint: { name: "payment.webhook-before-apply", hit: 3 },
  },
  {
    name: "kill -9 of one of two instances after it applied a webhook, before the PSP has its 200",
    instances: 2,
    failpoint: { name: "payment.webhook-after-apply", hit: 3 },
  },
  {
    name: "webhooks dropped, duplicated and reordered, a slow PSP that fails requests and loses responses, NATS kill -9 mid-stream",
    instances: 2,
    rounds: 2,
    restartNats: true,
    pspFaults: {
      webhook_drop_rate: 0.25,
      webhook_duplicate_rate: 0.25,
      webhook_reorder_ms: 300,
      latency_ms: { min: 0, max: 40 },
      error_rate: 0.05,
      fail_after_commit_rate: 0.2,
    },
  },
];

// Short, so that the poller soon resumes interrupted checkouts and asks the PSP about lost webhooks.
const POLLER = { intervalMs: 300, staleAfterMs: 1_000 };
const SETTLE_TIMEOUT_MS = 45_000;

let platform: FaultPlatform;
let client: RetryingPaymentClient;
let driver: FaultDriver;
/** For the checks, once the faults are over: the first payment instance, the wallet and ledger services. */
let payments: ServiceClient<"payment">;
let wallet: ServiceClient<"wallet">;
let ledger: ServiceClient<"ledger">;
let reconciliation: Reconciliation | undefined;

beforeAll(async () => {
  console.log(`fault suite: seed=${SEED} (FAULT_SEED=${SEED} replays it)`);
  platform = await startFaultPlatform({ paymentInstances: 2, poller: POLLER, pspRandom: random.psp });
  client = new RetryingPaymentClient({ random: random.backoff });
  driver = new FaultDriver(platform, client, random.amounts);
  payments = serviceClient("payment", platform.payments[0]!.url, "marketplace");
  wallet = serviceClient("wallet", platform.wallet.url, "marketplace");
  ledger = serviceClient("ledger", platform.ledger.url, "operator-tools");
});

async function printTotals(): Promise<void> {
  const deliveries = await listWebhookDeliveries(platform.pspApi);
  console.log(
    totalsLine({
      seed: SEED,
      payments: driver.checkouts.length,
      kills: driver.kills,
      natsRestarts: driver.natsRestarts,
      webhooks: webhookFaults(deliveries, platform.webhooks.arrivals()),
      clientRetries: client.retries,
      doubleCharges: reconciliation?.doubleCharges.length,
      lost: reconciliation?.lost.length,
    }),
  );
}

afterAll(async () => {
  try {
    if (driver) await printTotals();
  } finally {
    await platform?.close();
  }
});

describe("the pay-in path under kill -9, NATS restarts and webhook faults", () => {
  it.each(PHASES)("$name", (phase) => driver.run(phase), 60_000);

  // The outbox lets an instance start and take payments while NATS is down; the relay attaches when NATS is back.
  it("an instance restarted while NATS is down comes up and takes payments; their events wait for NATS", async () => {
    const first = platform.payments[0]!;
    try {
      await driver.natsOutage(() => driver.run({ name: "restart during a NATS outage", instances: 1 }));
    } finally {
      if (!first.running) await first.start();
    }
  }, 60_000);

  // The registration's body (return URL included) is fixed when the payment is created, so any instance can repeat
  // it under the same Idempotency-Key.
  it("another instance resumes a checkout whose instance died after registering it at the PSP", async () => {
    const [first, other] = platform.payments as [PaymentInstance, PaymentInstance];
    const checkout = newCheckout("success", 0, undefined, random.amounts);
    let paid = false;
    if (!other.running) await other.start();
    await first.stop("SIGTERM");
    await first.start("payment.after-psp-register@1");
    try {
      const paying = driver.checkoutVia([first, other], checkout);
      await driver.killedBy(first, { name: "payment.after-psp-register", hit: 1 });
      // The load balancer takes the dead instance out; the caller's retries reach the other one.
      driver.route([other]);
      await paying;
      paid = true;
    } finally {
      // The first instance comes back at its old address, resumes the registration, and the buyer pays.
      await first.start();
      if (!paid) await driver.checkoutVia([first, other], checkout);
    }
  }, 60_000);

  it("every payment ends SUCCEEDED or FAILED as the PSP has it: no checkout charged twice, none lost", async () => {
    await waitFor(
      async () => {
        const [ours, atPsp] = await Promise.all([listOurPayments(payments), listPspPayments(platform.pspApi)]);
        const pspStatus = new Map(atPsp.map((p) => [p.id, p.status]));
        return ours
          .filter((p) => !FINAL_STATUSES.includes(p.status))
          .map(
            (p) =>
              `${p.paymentId} (${p.checkoutId}) ${PaymentStatus[p.status]}, at the PSP ${p.pspPaymentId || "nothing"} ${pspStatus.get(p.pspPaymentId) ?? ""}`,
          );
      },
      (stuck) => stuck.length === 0,
      SETTLE_TIMEOUT_MS,
      "every payment to be SUCCEEDED or FAILED (last value: the payments still in flight)",
    );

    const [ours, atPsp] = await Promise.all([listOurPayments(payments), listPspPayments(platform.pspApi)]);
    reconciliation = reconcile(driver.checkouts, ours, atPsp);
    expect(reconciliation).toEqual({ doubleCharges: [], duplicateRegistrations: [], lost: [], disagreements: [] });
  }, 60_000);

  it("the books are clean: ledger invariants hold, each wallet holds the net of its sellers' succeeded orders", async () => {
    const ours = await listOurPayments(payments);
    const expected = {
      wallets: expectedWalletBalances(ours, PLATFORM_FEE_BPS),
      pspReceivable: grossSucceeded(ours, "USD"),
    };

    await waitFor(
      async () => ({
        wallets: await walletBalances(wallet),
        pspReceivable: await ledgerBalance(ledger, "psp_receivable:USD"),
      }),
      (books) => isDeepStrictEqual(books, expected),
      SETTLE_TIMEOUT_MS,
      `the wallets and the ledger to book every succeeded payment: ${json(expected)}`,
    );
    const { violations } = await ledger.checkInvariants({});
    expect(violations).toEqual([]);
  }, 60_000);
});
