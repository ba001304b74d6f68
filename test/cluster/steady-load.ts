import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { PaymentStatus, type Payment } from "../../gen/payment/v1/payment_pb.js";
import type { TlsMaterial } from "../../services/lib/tls/tls-material.js";
import { buyerPays, JOURNEYS, newCheckout, pspReviewDesk, type Checkout, type Journey } from "../faults/journeys.js";
import { ledgerBalance } from "../faults/books.js";
import { codeName, RetryingClient } from "../faults/retrying-client.js";
import { serviceClient, type ServiceName } from "../support/clients.js";
import { pspApiWithKey, type PspApi } from "../support/psp-api.js";
import { LoadTimeline } from "./load-timeline.js";

/** A running platform, as a caller outside it reaches it: gRPC URLs (one per instance, or a load balancer's), the PSP. */
export interface PlatformEndpoints {
  payment: string | string[];
  wallet: string | string[];
  ledger: string | string[];
  psp: { url: string; apiKey: string };
  /** Client certificates: the marketplace calls the payment and wallet services, operator-tools the ledger. */
  identities: { marketplace: TlsMaterial; operatorTools: TlsMaterial };
}

export interface SteadyLoadOptions extends PlatformEndpoints {
  /** Checkouts started per second, whatever the platform's answers. */
  ratePerSecond: number;
  /** What the buyers do, round after round; default mostly successes, some declines and 3-D Secure. */
  journeys?: Journey[];
  /** The share of succeeded payments that get a refund (full or half of one order); default 0.3. */
  refundShare?: number;
  /** A payout of a quarter of one seller's balance, sellers in turn, this often; default 1 s. */
  payoutEveryMs?: number;
  /** Sellers of this run (fresh ids, so their wallets start empty); default 4. */
  sellers?: number;
  /** Window of the timeline; default 1 s. */
  windowMs?: number;
  /** Each RPC attempt's deadline; default 5 s. */
  attemptDeadlineMs?: number;
  /** A call retried this long without an answer fails its journey; default 60 s. */
  giveUpAfterMs?: number;
  /** How long a journey waits for its payment to be SUCCEEDED before its refund; default 60 s. */
  settleTimeoutMs?: number;
}

/** The currency of the load's orders, and of the ledger accounts it checks. */
export const LOAD_CURRENCY = "USD";

export interface AnsweredPayment {
  checkout: Checkout;
  paymentId: string;
  pspPaymentId: string;
}

export interface AnsweredRefund {
  refundId: string;
  paymentId: string;
  orderId: string;
  amountMinor: bigint;
}

export interface AnsweredPayout {
  payoutId: string;
  sellerId: string;
  amountMinor: bigint;
}

/** The platform-wide ledger balances before the load: the checks compare what the load added. */
export interface LedgerBaseline {
  pspReceivable: bigint;
  platformFeeRevenue: bigint;
}

export interface LoadResult {
  sellers: string[];
  /** Every checkout the load started, answered or not. */
  checkouts: Checkout[];
  /** What was answered OK: CreatePayment, RefundPayment, RequestPayout. */
  payments: AnsweredPayment[];
  refunds: AnsweredRefund[];
  payouts: AnsweredPayout[];
  /** Payouts the wallet refused for want of balance (a refund got there first): the wallet's right answer. */
  payoutsRefused: number;
  /** Journeys that did not go through: a call gave up or got a non-retryable error, the buyer's page misbehaved. */
  failures: string[];
  /** Calls sent again, by the status of the failure that made the client retry. */
  retriesByCode: Record<string, number>;
  /** Attempts answered INTERNAL: retried like a transient failure, but a bug the platform must not have. */
  internals: number;
  baseline: LedgerBaseline;
  timeline: LoadTimeline;
}

export interface SteadyLoad {
  /** Marks an event on the timeline, e.g. "PG primary killed". */
  mark(label: string): void;
  timeline: LoadTimeline;
  /** Stops starting checkouts and payouts, waits (up to `timeoutMs`, default 90 s) for the journeys under way. */
  stop(timeoutMs?: number): Promise<LoadResult>;
}

const DEFAULT_JOURNEYS: Journey[] = [
  "success",
  "success",
  "decline",
  "success",
  "3ds-approve",
  "success",
  "success",
  "3ds-deny",
];
const PAYOUT_DESTINATION = "ba_steady_load";
const POLL_MS = 250;

const urls = (endpoint: string | string[]) => (Array.isArray(endpoint) ? endpoint : [endpoint]);
const usd = (amountMinor: bigint) => ({ amountMinor, currency: LOAD_CURRENCY });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The clients of one load, each retrying as a marketplace's backend would, all reporting to the timeline. */
class LoadClients {
  readonly payments: RetryingClient<"payment">;
  readonly wallet: RetryingClient<"wallet">;
  readonly pspApi: PspApi;
  internals = 0;

  constructor(options: SteadyLoadOptions, timeline: LoadTimeline) {
    const client = <S extends ServiceName>(service: S, endpoint: string | string[], tls: TlsMaterial) => {
      const retrying = new RetryingClient(service, tls, {
        giveUpAfterMs: options.giveUpAfterMs ?? 60_000,
        attemptDeadlineMs: options.attemptDeadlineMs ?? 5_000,
        onAttempt: (attempt) => {
          timeline.attempt(attempt);
          if (attempt.code === codeName(Code.Internal)) this.internals++;
        },
      });
      retrying.routeTo(urls(endpoint));
      return retrying;
    };
    this.payments = client("payment", options.payment, options.identities.marketplace);
    this.wallet = client("wallet", options.wallet, options.identities.marketplace);
    this.pspApi = pspApiWithKey(options.psp.url, options.psp.apiKey);
  }

  retriesByCode(): Record<string, number> {
    const total: Record<string, number> = {};
    for (const c of [this.payments, this.wallet])
      for (const [code, n] of Object.entries(c.retriesByCode)) total[code] = (total[code] ?? 0) + n;
    return total;
  }
}

/**
 * Drives checkouts into a running platform at a steady arrival rate: buyers pay on the PSP's hosted page, a share
 * of the succeeded payments is refunded, sellers are paid out now and then. Every call is retried on transient
 * failures with the same idempotency key (checkout_id, refund_id, payout_id), so faults may strike the platform
 * meanwhile; what was answered OK is what the money checks hold the platform to.
 */
export async function startSteadyLoad(options: SteadyLoadOptions): Promise<SteadyLoad> {
  const timeline = new LoadTimeline(Date.now(), options.windowMs);
  const clients = new LoadClients(options, timeline);
  const runId = randomUUID().slice(0, 8);
  const sellers = Array.from({ length: options.sellers ?? 4 }, (_, i) => `seller-load-${runId}-${i + 1}`);
  const result: LoadResult = {
    sellers,
    checkouts: [],
    payments: [],
    refunds: [],
    payouts: [],
    payoutsRefused: 0,
    failures: [],
    retriesByCode: {},
    internals: 0,
    baseline: { pspReceivable: 0n, platformFeeRevenue: 0n },
    timeline,
  };
  result.baseline = await ledgerBaseline(options);
  for (const sellerId of sellers)
    await clients.wallet.call("setPayoutAccount", { sellerId, destination: PAYOUT_DESTINATION });

  const journeys = options.journeys ?? DEFAULT_JOURNEYS;
  const inFlight = new Set<Promise<void>>();
  const track = (what: string, work: () => Promise<void>) => {
    const running: Promise<void> = work()
      .catch((err: Error) => void result.failures.push(`${what}: ${err.message}`))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  const journey = new Journeys(clients, result, options);
  let started = 0;
  const arrivals = setInterval(() => {
    const index = started++;
    const checkout = newCheckout(journeys[index % journeys.length]!, index, sellers);
    result.checkouts.push(checkout);
    timeline.arrived();
    track(`checkout ${checkout.request.checkoutId} (${checkout.journey})`, () => journey.checkout(checkout, index));
  }, 1_000 / options.ratePerSecond);
  let payouts = 0;
  let payoutRunning = false;
  const payoutTimer = setInterval(() => {
    if (payoutRunning) return;
    payoutRunning = true;
    const sellerId = sellers[payouts++ % sellers.length]!;
    track(`payout of ${sellerId}`, () => journey.payout(sellerId).finally(() => (payoutRunning = false)));
  }, options.payoutEveryMs ?? 1_000);

  return {
    timeline,
    mark: (label) => timeline.mark(label),
    async stop(timeoutMs = 90_000) {
      clearInterval(arrivals);
      clearInterval(payoutTimer);
      const timedOut = Symbol("timed out");
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (outcome === timedOut)
        result.failures.push(`${inFlight.size} journeys still under way ${timeoutMs} ms after stop()`);
      return { ...result, retriesByCode: clients.retriesByCode(), internals: clients.internals };
    },
  };
}

/** One checkout's and one payout's steps, recording what was answered OK. */
class Journeys {
  private readonly review: ReturnType<typeof pspReviewDesk>;

  constructor(
    private readonly clients: LoadClients,
    private readonly result: LoadResult,
    private readonly options: SteadyLoadOptions,
  ) {
    this.review = pspReviewDesk(clients.pspApi);
  }

  /** CreatePayment, the buyer on the hosted page, then perhaps a refund once the payment has SUCCEEDED. */
  async checkout(checkout: Checkout, index: number): Promise<void> {
    const payment = await this.timed(() => this.clients.payments.call("createPayment", checkout.request, index)).then(
      (r) => r.payment!,
    );
    this.result.payments.push({ checkout, paymentId: payment.paymentId, pspPaymentId: payment.pspPaymentId });
    if (payment.hostedPageUrl === "") {
      const risk = payment.risk?.reasons.map((r) => r.code).join("+") || "no risk reasons";
      const { payment: now } = await this.clients.payments.call("getPayment", { paymentId: payment.paymentId }, index);
      throw new Error(
        `CreatePayment answered ${payment.paymentId} without a hosted page: ${PaymentStatus[payment.status]}, psp "${payment.pspPaymentId}", ${risk}, failure "${payment.failureReason}"; GetPayment now: ${PaymentStatus[now!.status]}, psp "${now!.pspPaymentId}", hosted page "${now!.hostedPageUrl}"`,
      );
    }
    await buyerPays(checkout.journey, payment, this.review);
    if (JOURNEYS[checkout.journey] !== PaymentStatus.SUCCEEDED || Math.random() >= (this.options.refundShare ?? 0.3))
      return;
    const paid = await this.succeeded(payment.paymentId, index);
    const order = paid.orders[index % paid.orders.length]!;
    const amountMinor = index % 2 === 0 ? order.amount!.amountMinor : order.amount!.amountMinor / 2n;
    const request = {
      refundId: `rf-${randomUUID()}`,
      paymentId: payment.paymentId,
      orderId: order.orderId,
      amount: usd(amountMinor),
      reason: "steady load",
    };
    await this.timed(() => this.clients.payments.call("refundPayment", request, index));
    this.result.refunds.push({
      refundId: request.refundId,
      paymentId: payment.paymentId,
      orderId: order.orderId,
      amountMinor,
    });
  }

  /** A quarter of the seller's available balance, if any. */
  async payout(sellerId: string): Promise<void> {
    const { balance } = await this.timed(() =>
      this.clients.wallet.call("getBalance", { sellerId, currency: LOAD_CURRENCY }),
    );
    const amountMinor = balance!.available!.amountMinor / 4n;
    if (amountMinor <= 0n) return;
    const payoutId = `po-${randomUUID()}`;
    try {
      await this.timed(() =>
        this.clients.wallet.call("requestPayout", { payoutId, sellerId, amount: usd(amountMinor) }),
      );
      this.result.payouts.push({ payoutId, sellerId, amountMinor });
    } catch (err) {
      if (ConnectError.from(err).code !== Code.FailedPrecondition) throw err;
      this.result.payoutsRefused++;
    }
  }

  private async succeeded(paymentId: string, index: number): Promise<Payment> {
    const giveUpAt = Date.now() + (this.options.settleTimeoutMs ?? 60_000);
    for (;;) {
      const { payment } = await this.timed(() => this.clients.payments.call("getPayment", { paymentId }, index));
      if (payment!.status === PaymentStatus.SUCCEEDED) return payment!;
      if (payment!.status === PaymentStatus.FAILED) throw new Error(`${paymentId} is FAILED, the buyer paid it`);
      if (Date.now() > giveUpAt)
        throw new Error(
          `${paymentId} still ${PaymentStatus[payment!.status]} after ${this.options.settleTimeoutMs ?? 60_000} ms`,
        );
      await sleep(POLL_MS);
    }
  }

  /** The call, with its latency (retries included) on the timeline once answered OK. */
  private async timed<T>(call: () => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    const answer = await call();
    this.result.timeline.answered(startedAt);
    return answer;
  }
}

/** Read once, before the load, while the platform is healthy. */
async function ledgerBaseline(endpoints: PlatformEndpoints): Promise<LedgerBaseline> {
  const ledger = serviceClient("ledger", urls(endpoints.ledger)[0]!, endpoints.identities.operatorTools);
  return {
    pspReceivable: await ledgerBalance(ledger, `psp_receivable:${LOAD_CURRENCY}`),
    platformFeeRevenue: await ledgerBalance(ledger, `platform_fee_revenue:${LOAD_CURRENCY}`),
  };
}
