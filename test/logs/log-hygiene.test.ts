import { spawn } from "node:child_process";
import { testTlsEnv } from "../support/tls.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import { createHmac, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { create, toBinary } from "@bufbuild/protobuf";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentEventSchema } from "../../gen/payment/v1/events_pb.js";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { payOnHostedPage } from "../../scripts/buyer.js";
import { setLogDestination } from "../../services/lib/log.js";
import { sampleCheckout, usd } from "../support/checkouts.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import { PSP_API_KEY, PSP_WEBHOOK_SECRET } from "../support/platform.js";
import { createTestDatabase } from "../support/test-database.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

// Every line the platform's services write, at info level: in-process services log to this destination.
const captured: string[] = [];
const levelBefore = process.env.LOG_LEVEL;
beforeAll(() => {
  process.env.LOG_LEVEL = "info";
  setLogDestination({ write: (line) => void captured.push(line) });
});
afterAll(() => {
  setLogDestination(undefined);
  process.env.LOG_LEVEL = levelBefore;
});
const under = usePlatform();
const payments = () => under.client("payment", "marketplace");

type Line = Record<string, unknown>;
const lines = (): Line[] => captured.map((text) => JSON.parse(text) as Line);
const linesLike = (wanted: Line) => lines().filter((l) => Object.entries(wanted).every(([k, v]) => l[k] === v));
const awaitLines = (wanted: Line, count = 1) =>
  waitFor(
    async () => linesLike(wanted),
    (found) => found.length >= count,
    15_000,
    `${count} log line(s) like ${JSON.stringify(wanted)}`,
  );

const CARD = "4242 4242 4242 4242"; // the success card, as a buyer types it
const CVC = "8317";
const WRONG_SECRET = "whsec_not_the_platform_one";

/** What the flows used, to look for in the logs. */
const used = {
  paymentId: "",
  pspPaymentId: "",
  hostedPageToken: "",
  signedEventId: `evt_logs_${randomUUID()}`,
  forgedEventId: `evt_forged_${randomUUID()}`,
  signatures: [] as string[],
  refundId: `refund-logs-${randomUUID()}`,
  poisonEventId: `evt_poison_${randomUUID()}`,
  poisonPaymentId: `pay_poison${randomUUID().replaceAll("-", "").slice(0, 12)}`,
};

function signed(body: string, secret: string): { header: string; timestamp: number; v1: string } {
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  used.signatures.push(v1, `t=${timestamp},v1=${v1}`);
  return { header: `t=${timestamp},v1=${v1}`, timestamp, v1 };
}

const postWebhook = (body: string, signature: string) =>
  fetch(under.platform.payment.webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "psp-signature": signature },
    body,
  });

describe("logs of real flows (LOG_LEVEL=info)", () => {
  it("a paid checkout, a signed and a forged webhook, a refund and a poison event are logged with their ids", async () => {
    const payment = (await payments().createPayment(sampleCheckout())).payment!;
    Object.assign(used, {
      paymentId: payment.paymentId,
      hostedPageToken: new URL(payment.hostedPageUrl).searchParams.get("token") ?? "",
    });
    expect((await payOnHostedPage(payment.hostedPageUrl, CARD, CVC)).status).toBe("succeeded");
    const [paid] = await awaitLines({ msg: "webhook", eventType: "payment.succeeded", paymentId: payment.paymentId });
    expect(paid).toMatchObject({
      level: "info",
      service: "payment",
      outcome: "applied",
      eventId: expect.stringMatching(/^evt_/),
    });

    const pspPayment = await (await under.platform.pspApi(`/v1/payments/${payment.pspPaymentId}`)).json();
    used.pspPaymentId = pspPayment.id;
    const event = (id: string) =>
      JSON.stringify({
        id,
        object: "event",
        type: "payment.succeeded",
        created: pspPayment.created,
        data: { object: pspPayment },
      });

    const forgedBody = event(used.forgedEventId);
    const forged = signed(forgedBody, WRONG_SECRET);
    expect((await postWebhook(forgedBody, forged.header)).status).toBe(400);
    expect(linesLike({ msg: "webhook refused" })).toEqual([
      expect.objectContaining({
        level: "warn",
        problem: "signature does not match",
        signatureHint: `t=${forged.timestamp},v1=${forged.v1.slice(0, 8)}…`,
      }),
    ]);

    const signedBody = event(used.signedEventId);
    expect((await postWebhook(signedBody, signed(signedBody, PSP_WEBHOOK_SECRET).header)).status).toBe(200);
    expect(linesLike({ msg: "webhook", eventId: used.signedEventId })).toEqual([
      expect.objectContaining({
        paymentId: payment.paymentId,
        pspPaymentId: payment.pspPaymentId,
        outcome: "unchanged",
      }),
    ]);

    await payments().refundPayment({
      refundId: used.refundId,
      paymentId: payment.paymentId,
      orderId: "order-1",
      amount: usd(500),
    });
    // The refund flow finds the payment of the refund the PSP's webhook names.
    const [refunded] = await awaitLines({ msg: "webhook", eventType: "refund.succeeded", refundId: used.refundId });
    expect(refunded).toMatchObject({
      paymentId: payment.paymentId,
      pspRefundId: expect.stringMatching(/^re_/),
      eventId: expect.stringMatching(/^evt_/),
    });

    // A PaymentEvent without its total can never be booked: the ledger and the wallet dead-letter it.
    const poison = create(PaymentEventSchema, {
      eventId: used.poisonEventId,
      paymentId: used.poisonPaymentId,
      status: PaymentStatus.SUCCEEDED,
    });
    const nc = await connectAs(HARNESS);
    try {
      const ack = await jetstream(nc).publish(
        `${under.platform.streams.subjectPrefix}.payment.succeeded`,
        toBinary(PaymentEventSchema, poison),
        {
          msgID: used.poisonEventId,
        },
      );
      const deadLettered = await awaitLines({ msg: "poison message dead-lettered", eventId: used.poisonEventId }, 2);
      expect(deadLettered.map((l) => l.durable).sort()).toEqual(["ledger-payins", "wallet-payins"]);
      for (const line of deadLettered) {
        expect(line).toMatchObject({
          level: "error",
          paymentId: used.poisonPaymentId,
          streamSeq: ack.seq,
          subject: expect.stringMatching(/\.payment\.succeeded$/),
        });
      }
    } finally {
      await nc.close();
    }
  });

  it("every line is one JSON object with level, time, service and msg", () => {
    expect(captured.length).toBeGreaterThan(5);
    for (const text of captured) {
      expect(text.endsWith("\n") && !text.slice(0, -1).includes("\n"), text).toBe(true);
      const line = JSON.parse(text) as Line;
      expect(line, text).toMatchObject({
        level: expect.stringMatching(/^(debug|info|warn|error|fatal)$/),
        service: expect.any(String),
        msg: expect.any(String),
      });
      expect(new Date(line.time as string).toISOString(), text).toBe(line.time);
    }
  });

  it("every line that names a payment, a refund or an event about one carries paymentId", () => {
    const aboutPayments = lines().filter((line) => {
      const { paymentId: _, ...rest } = line;
      return (
        /\bpay_[0-9a-z]+/.test(JSON.stringify(rest)) || "refundId" in line || "disputeId" in line || "eventId" in line
      );
    });
    // Four webhooks (paid, signed again, refund created and succeeded) and two dead letters.
    expect(aboutPayments.length).toBeGreaterThanOrEqual(6);
    for (const line of aboutPayments)
      expect(line, JSON.stringify(line)).toHaveProperty("paymentId", expect.stringMatching(/^pay_/));
  });

  it("no line holds the card number, the CVC, the PSP API key, the webhook secret, a signature or the hosted page token", () => {
    const raw = captured.join("");
    const digits = CARD.replaceAll(" ", "");
    const secrets = [
      digits,
      CARD,
      CARD.replaceAll(" ", "-"),
      PSP_API_KEY,
      PSP_WEBHOOK_SECRET,
      WRONG_SECRET,
      used.hostedPageToken,
      ...used.signatures,
    ];
    expect(used.signatures).toHaveLength(4);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(raw.includes(secret), `the logs hold ${secret}`).toBe(false);
    }
    // Four digits on their own, outside the process ids (ports are 5 digits, times are split by separators).
    expect(raw.replace(/"pid":\d+/g, "")).not.toMatch(new RegExp(`(?<!\\d)${CVC}(?!\\d)`));
    expect(raw).not.toMatch(/4242[\s-]?4242[\s-]?4242/);
  });
});

describe("a service run as a process", () => {
  it("writes its log lines as JSON to stderr and nothing to stdout", async () => {
    const database = await createTestDatabase();
    try {
      const main = fileURLToPath(new URL("../../services/risk/main.ts", import.meta.url));
      const env = {
        ...process.env,
        ...testTlsEnv("risk"),
        PLATFORM_ENV: "development",
        DATABASE_URL: database.url,
        RISK_PORT: "0",
        RISK_METRICS_PORT: "0",
        LOG_LEVEL: "info",
        PAGE_TOKEN_SECRET: randomPageTokenSecret(),
      };
      const child = spawn(process.execPath, ["--import", "tsx", main], { env, stdio: ["ignore", "pipe", "pipe"] });
      const out = { stdout: "", stderr: "" };
      child.stdout.setEncoding("utf8").on("data", (text: string) => (out.stdout += text));
      child.stderr.setEncoding("utf8").on("data", (text: string) => (out.stderr += text));
      const exited = new Promise((resolve) => child.once("close", resolve));
      await waitFor(
        async () => out.stderr,
        (text) => text.includes("risk service listening"),
        20_000,
        "the risk service to log that it listens",
      );
      child.kill("SIGTERM");
      await exited;
      expect(out.stdout).toBe("");
      const logged = out.stderr
        .trimEnd()
        .split("\n")
        .map((text) => JSON.parse(text) as Line);
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: "info",
          service: "risk",
          msg: "risk service listening",
          url: expect.stringMatching(/^https:/),
        }),
      );
    } finally {
      await database.drop();
    }
  });
});
