import { beforeAll, describe, expect, it } from "vitest";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { sampleCheckout } from "../support/checkouts.js";
import { grpc, serverStream, unary } from "../support/grpc-js.js";
import { scrape } from "../support/metrics.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const under = usePlatform();
const PAYMENT_SERVICE = "payment.v1.PaymentService";

/** A paid checkout, an invalid CreatePayment, and a watch of the paid payment: what the metrics below count. */
beforeAll(async () => {
  const { payment } = await unary(under.payments, "createPayment", sampleCheckout());
  await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
  await waitFor(
    () => unary(under.payments, "getPayment", { paymentId: payment.paymentId }),
    (r) => r.payment.status === "PAYMENT_STATUS_SUCCEEDED",
    15_000,
    "the payment to succeed",
  );
  await expect(unary(under.payments, "createPayment", sampleCheckout({ orders: [] }))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  await serverStream(under.payments, "watchPayment", { paymentId: payment.paymentId }).all;
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
    expect(payment.value("rpc_duration_seconds_count", { method: createPayment, code: "ok" })).toBeGreaterThanOrEqual(1);
    expect(payment.value("rpc_duration_seconds_bucket", { method: createPayment, code: "ok", le: "+Inf" })).toBeGreaterThanOrEqual(1);
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
