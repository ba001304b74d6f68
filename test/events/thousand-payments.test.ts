import { testTls } from "../support/tls.js";
import { randomUUID } from "node:crypto";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { LEDGER_PAYIN_DURABLE } from "../../services/ledger/events/payin-consumer.js";
import { startLedgerService, type RunningLedgerService } from "../../services/ledger/service.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { WALLET_PAYIN_DURABLE } from "../../services/wallet/events/payin-consumer.js";
import { startWalletService, type RunningWalletService } from "../../services/wallet/service.js";
import { serviceClient } from "../support/clients.js";
import { connectAs, HARNESS, natsAs } from "../support/nats-users.js";
import { PLATFORM_FEE_BPS, startTestPlatform, type TestPlatform } from "../support/platform.js";
import { waitFor } from "../support/wait.js";

const PAYMENTS = 1_000;
const SELLERS = Array.from({ length: 50 }, (_, i) => `seller-${i}`);
const CURRENCIES = ["USD", "EUR"] as const;
const CONCURRENCY = 40;

let platform: TestPlatform;
let secondLedger: RunningLedgerService;
let secondWallet: RunningWalletService;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  platform = await startTestPlatform();
  // A second instance of each consumer service: they compete for the same durable consumers.
  const names = platform.streams;
  const { pageTokenSecret } = platform;
  secondWallet = await startWalletService({
    tls: testTls("wallet"),
    databaseUrl: platform.database.url,
    events: { nats: natsAs("wallet"), names },
    pageTokenSecret,
  });
  secondLedger = await startLedgerService({
    tls: testTls("ledger"),
    databaseUrl: platform.database.url,
    walletUrl: platform.wallet.url,
    events: { nats: natsAs("ledger"), names },
    pageTokenSecret,
  });
  nc = await connectAs(HARNESS);
  jsm = await jetstreamManager(nc);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await secondLedger?.close();
  await secondWallet?.close();
  await platform?.close();
});

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

function randomCheckout() {
  const currency = pick(CURRENCIES);
  const sellers = [...SELLERS].sort(() => Math.random() - 0.5).slice(0, 1 + Math.floor(Math.random() * 3));
  return {
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    orders: sellers.map((sellerId, i) => ({
      orderId: `o${i}`,
      sellerId,
      amount: { amountMinor: BigInt(1 + Math.floor(Math.random() * 150_000)), currency },
    })),
  };
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe(`${PAYMENTS} concurrent random payments across ${SELLERS.length} sellers`, () => {
  it("end with the books balanced, every wallet equal to its seller_payable account, and the amounts exact", async () => {
    const payments = serviceClient("payment", platform.payment.url, "marketplace");
    const checkouts = Array.from({ length: PAYMENTS }, randomCheckout);
    const paymentIds: string[] = [];
    await inParallel(checkouts, CONCURRENCY, async (checkout) => {
      const { payment } = await payments.createPayment({
        ...checkout,
        orders: checkout.orders,
      });
      const page = await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
      expect(page.status).toBe("succeeded");
      paymentIds.push(payment!.paymentId);
    });

    await waitFor(
      async () => {
        let pending = 0;
        for (const durable of [LEDGER_PAYIN_DURABLE, WALLET_PAYIN_DURABLE]) {
          const info = await jsm.consumers.info(platform.streams.stream, durable);
          pending += info.num_pending + info.num_ack_pending;
        }
        const { state } = await jsm.streams.info(platform.streams.stream);
        return { pending, published: state.messages };
      },
      // Each payment announces EXECUTING then SUCCEEDED.
      ({ pending, published }) => pending === 0 && published === 2 * PAYMENTS,
      120_000,
      "every event to be published and consumed",
    );

    const ledger = serviceClient("ledger", platform.ledger.url, "operator-tools");
    const { violations } = await ledger.checkInvariants({});
    expect(violations).toEqual([]);

    // The books say exactly what the checkouts add up to, to the minor unit.
    const wallets = serviceClient("wallet", platform.wallet.url, "marketplace");
    for (const currency of CURRENCIES) {
      const orders = checkouts.flatMap((c) => c.orders).filter((o) => o.amount.currency === currency);
      const gross = orders.reduce((sum, o) => sum + o.amount.amountMinor, 0n);
      const fees = orders.reduce(
        (sum, o) => sum + splitOrder(o.amount.amountMinor, PLATFORM_FEE_BPS).platformFeeMinor,
        0n,
      );
      const balanceOf = async (accountCode: string) => (await ledger.getBalance({ accountCode })).balance!.amountMinor;
      expect(await balanceOf(`psp_receivable:${currency}`)).toBe(gross);
      expect(await balanceOf(`platform_fee_revenue:${currency}`)).toBe(fees);
      let walletTotal = 0n;
      for (const sellerId of SELLERS) {
        walletTotal += (await wallets.getBalance({ sellerId, currency })).balance!.available!.amountMinor;
      }
      expect(walletTotal).toBe(gross - fees);
    }
    expect(new Set(paymentIds).size).toBe(PAYMENTS);
  }, 300_000);
});
