import { expect } from "vitest";
import type { FaultConfig } from "../../psp-simulator/faults.js";
import type { FailpointName } from "../../services/lib/failpoints.js";
import type { FaultPlatform } from "../support/fault-platform.js";
import type { PaymentInstance } from "../support/payment-process.js";
import { waitFor } from "../support/wait.js";
import { buyerPays, JOURNEY_MIX, newCheckout, pspReviewDesk, type Checkout, type CreatedPayment } from "./journeys.js";
import type { RetryingPaymentClient } from "./retrying-payment-client.js";

/** A failpoint armed for its `hit`-th hit. */
export interface Failpoint {
  name: FailpointName;
  hit: number;
}

/** Checkouts driven through the platform while one kind of fault strikes. */
export interface Phase {
  name: string;
  /** Payment instances serving the phase; the first one is the one a failpoint kills. */
  instances: 1 | 2;
  /** Armed on the first instance, e.g. its 3rd hit: the phase checks that it fired, then restarts the instance. */
  failpoint?: Failpoint;
  pspFaults?: Partial<FaultConfig>;
  /** Kill -9 the nats-server and start it again once half of the phase's checkouts are created. */
  restartNats?: boolean;
  /** Rounds of JOURNEY_MIX; default 1. */
  rounds?: number;
}

const FAILPOINT_TIMEOUT_MS = 30_000;

/** Runs the phases one after the other against one platform, and counts the faults it injected. */
export class FaultDriver {
  readonly checkouts: Checkout[] = [];
  kills = 0;
  natsRestarts = 0;

  constructor(
    private readonly platform: FaultPlatform,
    private readonly client: RetryingPaymentClient,
    /** The checkouts' amounts. */
    private readonly random: () => number,
  ) {}

  async run(phase: Phase): Promise<void> {
    const live = await this.deploy(phase);
    this.route(live);
    this.platform.psp.setFaults(phase.pspFaults ?? {});

    const checkouts = Array.from({ length: phase.rounds ?? 1 }, () => JOURNEY_MIX)
      .flat()
      .map((journey, index) => newCheckout(journey, index, undefined, this.random));
    this.checkouts.push(...checkouts);
    let created = 0;
    let halfCreated: () => void = () => {};
    const halfway = new Promise<void>((resolve) => (halfCreated = resolve));
    const walks = checkouts.map((checkout, index) =>
      this.walk(checkout, index, () => ++created >= checkouts.length / 2 && halfCreated()),
    );
    // Should checkouts fail before half are created, a fault waiting for half must not wait for ever.
    void Promise.allSettled(walks).then(halfCreated);
    const results = await Promise.allSettled([...walks, this.strike(phase, live[0]!, halfway)]);
    this.platform.psp.setFaults({});
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Drives one more checkout, of the test's own making, through `instances`; the final checks count it. */
  async checkoutVia(instances: PaymentInstance[], checkout: Checkout): Promise<void> {
    this.route(instances);
    if (!this.checkouts.includes(checkout)) this.checkouts.push(checkout);
    await this.walk(checkout, 0, () => {});
  }

  /** Waits for the failpoint to kill the instance, and checks that it really was the failpoint, with SIGKILL. */
  async killedBy(instance: PaymentInstance, failpoint: Failpoint): Promise<void> {
    const what = `failpoint ${failpoint.name}@${failpoint.hit} to kill payment instance ${instance.name}`;
    await waitFor(
      async () => instance.running,
      (running) => !running,
      FAILPOINT_TIMEOUT_MS,
      what,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; its stderr:\n${instance.output()}`);
    });
    const exit = await instance.exited();
    expect(exit.signal, `${what}: it exited otherwise; its stderr:\n${instance.output()}`).toBe("SIGKILL");
    expect(instance.output()).toContain(`FAILPOINT ${failpoint.name} hit ${failpoint.hit}: SIGKILL`);
    this.kills++;
  }

  /** Kills the nats-server with SIGKILL, runs `whileDown` if given, and starts the server again. */
  async natsOutage(whileDown?: () => Promise<void>): Promise<void> {
    try {
      await this.platform.nats.restart("SIGKILL", whileDown);
    } finally {
      this.natsRestarts++;
    }
  }

  /** Callers and the PSP's webhooks reach these instances, as a load balancer in front of them would send them. */
  route(instances: PaymentInstance[]): void {
    this.platform.webhooks.routeTo(instances.map((instance) => instance.webhookUrl));
    this.client.routeTo(instances.map((instance) => instance.url));
  }

  /** Starts the phase's instances, the first one with the phase's failpoint armed, and stops the others. */
  private async deploy(phase: Phase): Promise<PaymentInstance[]> {
    const [armed, ...spares] = this.platform.payments;
    if (!armed) throw new Error("the fault platform has no payment instance");
    if (armed.running) await armed.stop("SIGTERM");
    await armed.start(phase.failpoint ? `${phase.failpoint.name}@${phase.failpoint.hit}` : "");
    const wanted = spares.slice(0, phase.instances - 1);
    for (const spare of spares) {
      if (wanted.includes(spare) && !spare.running) await spare.start();
      if (!wanted.includes(spare) && spare.running) await spare.stop("SIGTERM");
    }
    return [armed, ...wanted];
  }

  /** The phase's fault, while its checkouts run: the armed instance killed (then restarted), NATS restarted. */
  private async strike(phase: Phase, armed: PaymentInstance, halfway: Promise<void>): Promise<void> {
    if (phase.failpoint) {
      await this.killedBy(armed, phase.failpoint);
      await armed.start();
    }
    if (phase.restartNats) {
      await halfway;
      await this.natsOutage();
    }
  }

  /** One checkout, from CreatePayment (retried as need be) to the buyer's last action; `created` once it has its payment. */
  private async walk({ journey, request }: Checkout, index: number, created: () => void): Promise<void> {
    const payment: CreatedPayment = await this.client.createPayment(request, index);
    expect(payment.hostedPageUrl, `CreatePayment of ${request.checkoutId} answered without a hosted page`).not.toBe("");
    created();
    await buyerPays(journey, payment, pspReviewDesk(this.platform.pspApi));
  }
}
