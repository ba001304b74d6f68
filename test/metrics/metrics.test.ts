import { testTls } from "../support/tls.js";
import { jetstream } from "@nats-io/jetstream";
import { beforeAll, describe, expect, it, inject } from "vitest";
import { Code } from "@connectrpc/connect";
import { deadLetterStream } from "../../services/lib/events/streams.js";
import { LEDGER_PAYIN_DURABLE } from "../../services/ledger/events/payin-consumer.js";
import { startLedgerService } from "../../services/ledger/service.js";
import { WALLET_PAYIN_DURABLE } from "../../services/wallet/events/payin-consumer.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { scrape, type Scrape } from "../support/metrics.js";
import { connectAs, HARNESS, natsAs } from "../support/nats-users.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
const PAYMENT_SERVICE = "payment.v1.PaymentService";

/** A paid checkout, an invalid CreatePayment, a watch of the paid payment, a forged webhook: what the metrics below count. */
beforeAll(async () => {
  const paymentId = await payCheckout(payments(), sampleCheckout());
  await expect(payments().createPayment(sampleCheckout({ orders: [] }))).rejects.toMatchObject({
    code: Code.InvalidArgument,
  });
  // A settled payment: the stream sends it once and ends.
  for await (const watched of payments().watchPayment({ paymentId }))
    expect(watched.payment?.paymentId).toBe(paymentId);
  const forged = await fetch(under.platform.payment.webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "psp-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`,
    },
    body: JSON.stringify({ id: "evt_forged", type: "payment.succeeded", data: { object: { id: "pi_forged" } } }),
  });
  expect(forged.status).toBe(400);
});

describe("GET /metrics on every service", () => {
  const services = () => {
    const { payment, risk, wallet, ledger, reconciliation } = under.platform;
    return { payment, risk, wallet, ledger, reconciliation };
  };

  it("answers HTTP/1.1 in the Prometheus text format, with process metrics labelled by service", async () => {
    for (const [name, service] of Object.entries(services())) {
      const metrics = await scrape(service.metricsUrl);
      expect(metrics.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(metrics.value("process_resident_memory_bytes", { service: name })).toBeGreaterThan(0);
    }
  });

  it("counts RPCs by method and code after the domain-error mapping, and times them", async () => {
    const payment = await scrape(under.platform.payment.metricsUrl);
    const createPayment = `${PAYMENT_SERVICE}/CreatePayment`;
    expect(payment.value("rpc_requests_total", { method: createPayment, code: "ok" })).toBeGreaterThanOrEqual(1);
    expect(payment.value("rpc_requests_total", { method: createPayment, code: "invalid_argument" })).toBe(1);
    expect(payment.value("rpc_duration_seconds_count", { method: createPayment, code: "ok" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      payment.value("rpc_duration_seconds_bucket", { method: createPayment, code: "ok", le: "+Inf" }),
    ).toBeGreaterThanOrEqual(1);
    // A server stream is counted once it ends.
    expect(payment.value("rpc_requests_total", { method: `${PAYMENT_SERVICE}/WatchPayment`, code: "ok" })).toBe(1);

    const risk = await scrape(under.platform.risk.metricsUrl);
    expect(risk.value("rpc_requests_total", { method: "risk.v1.RiskService/Assess", code: "ok" })).toBe(1);
  });

  it("answers 404 beside /metrics", async () => {
    const res = await fetch(new URL("/", under.platform.risk.metricsUrl));
    expect(res.status).toBe(404);
  });
});

describe("payments and webhooks", () => {
  it("payments by status, read from the database", async () => {
    const payment = await scrape(under.platform.payment.metricsUrl);
    expect(payment.value("payments", { status: "SUCCEEDED" })).toBe(1);
    expect(payment.value("payments", { status: "FAILED" })).toBe(0);
  });

  it("webhook deliveries by type and outcome, a forged one as rejected", async () => {
    const payment = await scrape(under.platform.payment.metricsUrl);
    expect(payment.value("webhook_deliveries_total", { type: "payment.succeeded", outcome: "applied" })).toBe(1);
    expect(payment.value("webhook_deliveries_total", { type: "unknown", outcome: "rejected_signature" })).toBe(1);
  });
});

describe("events", () => {
  const caughtUp = (metrics: Scrape) =>
    metrics.samples.some((s) => s.name === "consumer_pending_messages") &&
    metrics.samples
      .filter((s) => s.name === "consumer_pending_messages" || s.name === "consumer_ack_pending")
      .every((s) => s.value === 0);

  it("the outboxes of payment and wallet drain: nothing pending, no age", async () => {
    for (const service of [under.platform.payment, under.platform.wallet]) {
      const metrics = await waitFor(
        () => scrape(service.metricsUrl),
        (m) => m.value("outbox_pending_events") === 0,
        10_000,
        "an empty outbox",
      );
      expect(metrics.value("outbox_oldest_pending_age_seconds")).toBe(0);
    }
  });

  it("ledger and wallet consumers handled the pay-in and have nothing pending once idle; no dead letters", async () => {
    const dlq = deadLetterStream(under.platform.streams);
    for (const [service, payins, durables] of [
      [under.platform.ledger, LEDGER_PAYIN_DURABLE, 8],
      [under.platform.wallet, WALLET_PAYIN_DURABLE, 6],
    ] as const) {
      const metrics = await waitFor(
        () => scrape(service.metricsUrl),
        caughtUp,
        10_000,
        "consumers with nothing pending",
      );
      expect(metrics.samples.filter((s) => s.name === "consumer_pending_messages")).toHaveLength(durables);
      expect(metrics.value("events_handled_total", { durable: payins, outcome: "ok" })).toBe(1);
      expect(metrics.value("events_handled_total", { durable: payins, outcome: "retried" })).toBeUndefined();
      expect(metrics.value("dead_letters", { stream: dlq })).toBe(0);
    }
  });

  it("while NATS is unreachable a scrape still answers, without the JetStream gauges", async () => {
    const nats = new URL(inject("nats").url);
    const proxy = await startTcpProxy(nats.hostname, Number(nats.port || 4222));
    const ledger = await startLedgerService({
      tls: testTls("ledger"),
      databaseUrl: under.platform.database.url,
      events: {
        nats: { ...natsAs("ledger"), servers: [`nats://127.0.0.1:${proxy.port}`] },
        names: under.platform.streams,
      },
      pageTokenSecret: under.platform.pageTokenSecret,
    });
    try {
      await waitFor(() => scrape(ledger.metricsUrl), caughtUp, 10_000, "the replica's consumers");
      proxy.cut();
      const startedAt = Date.now();
      const metrics = await scrape(ledger.metricsUrl);
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      expect(metrics.value("consumer_pending_messages", { durable: LEDGER_PAYIN_DURABLE })).toBeUndefined();
      expect(metrics.value("dead_letters")).toBeUndefined();
      expect(metrics.value("process_resident_memory_bytes")).toBeGreaterThan(0);
    } finally {
      proxy.restore();
      await ledger.close();
      await proxy.close();
    }
  });

  it("a poison event is dead-lettered by each consumer of its subject: counted, and in the dead-letter depth", async () => {
    const nc = await connectAs(HARNESS);
    try {
      await jetstream(nc).publish(
        `${under.platform.streams.subjectPrefix}.payment.succeeded`,
        new TextEncoder().encode("not protobuf {"),
      );
    } finally {
      await nc.close();
    }
    const deadLettered = (durable: string) => (m: Scrape) =>
      m.value("events_handled_total", { durable, outcome: "dead_lettered" }) === 1 && caughtUp(m);
    const ledger = await waitFor(
      () => scrape(under.platform.ledger.metricsUrl),
      deadLettered(LEDGER_PAYIN_DURABLE),
      10_000,
      "the ledger's dead letter",
    );
    await waitFor(
      () => scrape(under.platform.wallet.metricsUrl),
      deadLettered(WALLET_PAYIN_DURABLE),
      10_000,
      "the wallet's dead letter",
    );
    expect(ledger.value("dead_letters", { stream: deadLetterStream(under.platform.streams) })).toBe(2);
  });
});
