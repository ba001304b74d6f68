import type { AddressInfo } from "node:net";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentStatus, PendingReason, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { farExpiry, TEST_CARDS } from "../../scripts/buyer.js";
import { startDemoMerchant, type DemoMerchant } from "../../scripts/demo-merchant/shop.js";
import { httpServerWithTimeouts } from "../../services/lib/http-timeouts.js";
import { sampleCheckout, waitForStatus } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";
import { useBrowser } from "./browser.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
const browser = useBrowser();

/** A site of another origin, not registered for any payment: it serves `html` at every path. */
interface ForeignSite {
  origin: string;
  html: string;
  close(): Promise<void>;
}

async function startForeignSite(): Promise<ForeignSite> {
  const server = httpServerWithTimeouts((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(site.html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const site: ForeignSite = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    html: "",
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
  return site;
}

// The demo shop, on an origin of its own, creating its checkouts over gRPC with that origin as their embed origin.
let merchant: DemoMerchant;
let foreign: ForeignSite;
beforeAll(async () => {
  merchant = await startDemoMerchant({
    pspUrl: under.platform.psp.url,
    createCheckout: async (embedOrigin) => {
      const payment = (await payments().createPayment(sampleCheckout({ embedOrigins: [embedOrigin] }))).payment!;
      return { paymentId: payment.paymentId, hostedPageUrl: payment.hostedPageUrl };
    },
  });
  foreign = await startForeignSite();
});
afterAll(async () => {
  await merchant?.close();
  await foreign?.close();
});

/** What the messages of a frame look like, per docs/architecture.md (Embeddable checkout). */
const message = (type: string, fields: Record<string, unknown>) => ({
  source: "psp-checkout",
  version: 1,
  type,
  decline_code: null,
  failure_message: null,
  ...fields,
});

/** The message of the decline card's result. */
const declined = (pspPaymentId: string) =>
  message("failed", {
    payment_id: pspPaymentId,
    status: "failed",
    decline_code: "generic_decline",
    failure_message: "Your card was declined.",
  });

/** The shop's checkout page, its card form in the PSP's frame; the payment's id. */
async function checkOut(page: Page): Promise<string> {
  await page.goto(merchant.origin);
  await page.getByRole("button", { name: "Check out" }).click();
  await page.frameLocator("#checkout iframe").getByLabel("Card number").waitFor();
  return (await page.locator("#checkout").getAttribute("data-payment-id"))!;
}

/** Types the card into the frame and presses Pay, as a buyer would. */
async function payInFrame(page: Page, cardNumber: string): Promise<void> {
  const frame = page.frameLocator("#checkout iframe");
  await frame.getByLabel("Card number").fill(cardNumber);
  await frame.getByLabel("Expiry (MM/YY)").fill(farExpiry());
  await frame.getByLabel("CVC").fill("123");
  await frame.getByLabel("Name on card").fill("Ada Buyer");
  await frame.getByRole("button", { name: "Pay USD 35.00" }).click();
}

/** How long the page is watched for a message more, after the last one expected. */
const SETTLE_MS = 1_000;

/**
 * The messages the shop's page received from the SDK, in order, once there are `count` and no other came within
 * SETTLE_MS: a message too many is in the list, for the test to see.
 */
async function settledMessages(page: Page, count: number): Promise<unknown[]> {
  await page
    .locator("#messages li")
    .nth(count - 1)
    .waitFor();
  await page.waitForTimeout(SETTLE_MS);
  return (await page.locator("#messages li").allInnerTexts()).map((text) => JSON.parse(text));
}

/** Pays with the 3-D Secure card in the frame, up to the challenge it shows; the payment, PENDING on 3-D Secure. */
async function challengedInFrame(page: Page): Promise<Payment> {
  const paymentId = await checkOut(page);
  await payInFrame(page, TEST_CARDS.threeDSecure);
  await page.frameLocator("#checkout iframe").getByRole("button", { name: "Authenticate" }).waitFor();
  const pending = await waitForStatus(payments(), paymentId, PaymentStatus.PENDING);
  expect(pending.pendingReason).toBe(PendingReason.THREE_D_SECURE);
  expect(await settledMessages(page, 1)).toEqual([
    message("three_d_secure", { payment_id: pending.pspPaymentId, status: "processing" }),
  ]);
  return pending;
}

describe("the PSP's card form embedded in a merchant's page", () => {
  it("pays with the success card in the frame: the page receives one `succeeded` message, and the card went to the PSP only", async () => {
    const { page, shot } = browser;
    const cardSentTo = new Set<string>();
    page.on("request", (request) => {
      if (request.postData()?.includes(TEST_CARDS.success)) cardSentTo.add(new URL(request.url()).origin);
    });
    const paymentId = await checkOut(page);
    await shot("card form in the frame");
    await payInFrame(page, TEST_CARDS.success);

    const paid = await waitForStatus(payments(), paymentId, PaymentStatus.SUCCEEDED);
    expect(await settledMessages(page, 1)).toEqual([
      message("succeeded", { payment_id: paid.pspPaymentId, status: "succeeded" }),
    ]);
    expect(await page.locator("#outcome").innerText()).toBe("Thank you: the payment went through.");
    expect(await page.frameLocator("#checkout iframe").locator("h1").innerText()).toBe("Payment successful.");
    expect([...cardSentTo]).toEqual([new URL(under.platform.psp.url).origin]);
    await shot("paid in the frame");
  });

  it("pays with the decline card: one `failed` message with the decline, and the payment FAILED", async () => {
    const { page, shot } = browser;
    const paymentId = await checkOut(page);
    await payInFrame(page, TEST_CARDS.declined);

    const failed = await waitForStatus(payments(), paymentId, PaymentStatus.FAILED);
    expect(failed.declineCode).toBe("generic_decline");
    expect(await settledMessages(page, 1)).toEqual([declined(failed.pspPaymentId)]);
    expect(await page.locator("#outcome").innerText()).toBe("The payment failed. Your card was declined.");
    await shot("declined in the frame");
  });

  it("pays with the 3-D Secure card: the challenge is answered inside the frame, `three_d_secure` then `succeeded`", async () => {
    const { page, shot } = browser;
    const { paymentId, pspPaymentId } = await challengedInFrame(page);
    await shot("3ds challenge in the frame");

    await page.frameLocator("#checkout iframe").getByRole("button", { name: "Authenticate" }).click();
    await waitForStatus(payments(), paymentId, PaymentStatus.SUCCEEDED);
    expect(await settledMessages(page, 2)).toEqual([
      message("three_d_secure", { payment_id: pspPaymentId, status: "processing" }),
      message("succeeded", { payment_id: pspPaymentId, status: "succeeded" }),
    ]);
    await shot("authenticated in the frame");
  });

  it("fails the 3-D Secure challenge inside the frame: `three_d_secure` then `failed` with `authentication_failed`", async () => {
    const { page, shot } = browser;
    const { paymentId, pspPaymentId } = await challengedInFrame(page);

    await page.frameLocator("#checkout iframe").getByRole("button", { name: "Fail authentication" }).click();
    const failed = await waitForStatus(payments(), paymentId, PaymentStatus.FAILED);
    expect(failed.declineCode).toBe("authentication_failed");
    expect(await settledMessages(page, 2)).toEqual([
      message("three_d_secure", { payment_id: pspPaymentId, status: "processing" }),
      message("failed", {
        payment_id: pspPaymentId,
        status: "failed",
        decline_code: "authentication_failed",
        failure_message: "The cardholder failed 3-D Secure authentication.",
      }),
    ]);
    expect(await page.locator("#outcome").innerText()).toBe(
      "The payment failed. The cardholder failed 3-D Secure authentication.",
    );
    await shot("authentication failed in the frame");
  });

  it("pays with the card the PSP holds for manual review: one `pending` message, and the payment PENDING on that review", async () => {
    const { page, shot } = browser;
    const paymentId = await checkOut(page);
    await payInFrame(page, TEST_CARDS.manualReview);

    const pending = await waitForStatus(payments(), paymentId, PaymentStatus.PENDING);
    expect(pending.pendingReason).toBe(PendingReason.MANUAL_REVIEW);
    expect(await settledMessages(page, 1)).toEqual([
      message("pending", { payment_id: pending.pspPaymentId, status: "processing" }),
    ]);
    expect(await page.locator("#outcome").innerText()).toBe("The payment is being reviewed.");
    expect(await page.frameLocator("#checkout iframe").locator("h1").innerText()).toBe(
      "Your payment is being processed.",
    );
    await shot("held for review in the frame");
  });

  it("tells the page `canceled` when the buyer pays a checkout the merchant voided meanwhile, and charges nothing", async () => {
    const { page, shot } = browser;
    const paymentId = await checkOut(page);
    const voided = (await payments().voidPayment({ paymentId })).payment!;
    expect(voided.status).toBe(PaymentStatus.VOIDED);
    await payInFrame(page, TEST_CARDS.success);

    expect(await settledMessages(page, 1)).toEqual([
      message("canceled", { payment_id: voided.pspPaymentId, status: "canceled" }),
    ]);
    expect(await page.locator("#outcome").innerText()).toBe("The payment was canceled.");
    const frame = page.frameLocator("#checkout iframe");
    expect(await frame.locator("h1").innerText()).toBe("Payment canceled.");
    expect(await frame.locator(".notice").innerText()).toBe("This payment has been canceled.");
    expect((await payments().getPayment({ paymentId })).payment!.status).toBe(PaymentStatus.VOIDED);
    await shot("canceled in the frame");
  });

  it("ignores messages from any window but its frame, even ones shaped exactly like the PSP's", async () => {
    const { page } = browser;
    const paymentId = await checkOut(page);
    const payment = (await payments().getPayment({ paymentId })).payment!;
    const forged = message("succeeded", { payment_id: payment.pspPaymentId, status: "succeeded" });
    // A spy of the test's own sees every message the page gets, so that the forgeries are known to have arrived.
    await page.evaluate(() => {
      (window as unknown as { seen: string[] }).seen = [];
      window.addEventListener("message", (event) => (window as unknown as { seen: string[] }).seen.push(event.origin));
    });
    foreign.html = `<!doctype html><title>foreign</title><script>window.opener.postMessage(${JSON.stringify(forged)}, "*");</script>`;
    const [popup] = await Promise.all([
      page.waitForEvent("popup"),
      page.evaluate((url) => void window.open(url), foreign.origin),
    ]);
    await popup.waitForLoadState();
    await page.evaluate((m) => window.postMessage(m, "*"), forged);
    await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.length === 2);
    expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual([
      foreign.origin,
      merchant.origin,
    ]);
    expect(await page.locator("#messages li").count()).toBe(0);
    expect(await page.locator("#outcome").innerText()).toBe("Waiting for the payment.");

    await payInFrame(page, TEST_CARDS.declined);
    await waitForStatus(payments(), paymentId, PaymentStatus.FAILED);
    expect(await settledMessages(page, 1)).toEqual([declined(payment.pspPaymentId)]);
  });

  it("the SDK refuses to mount a page that is not the PSP's, and unmounting removes the frame", async () => {
    const { page } = browser;
    await checkOut(page);
    const refused = await page.evaluate((url) => {
      try {
        (window as unknown as { PspCheckout: { mount(target: string, options: object): unknown } }).PspCheckout.mount(
          "#checkout",
          { url },
        );
        return "mounted";
      } catch (err) {
        return String(err);
      }
    }, `${foreign.origin}/pay/pi_1?token=x`);
    expect(refused).toBe(
      `TypeError: PspCheckout.mount: options.url must be a page of ${new URL(under.platform.psp.url).origin}, where this script came from`,
    );
    await page.evaluate(() => {
      const sdk = (
        window as unknown as { PspCheckout: { mount(target: string, options: object): { unmount(): void } } }
      ).PspCheckout;
      sdk.mount("#checkout", { url: document.getElementById("checkout")!.dataset.hostedPageUrl }).unmount();
    });
    expect(await page.locator("#checkout iframe").count()).toBe(0);
  });

  it("cannot be framed by a foreign origin, neither through the SDK nor by naming the registered origin itself", async () => {
    const { page, shot } = browser;
    const payment = (await payments().createPayment(sampleCheckout({ embedOrigins: [merchant.origin] }))).payment!;
    const claimed = `${payment.hostedPageUrl}&parent_origin=${encodeURIComponent(merchant.origin)}`;
    foreign.html = `<!doctype html><title>foreign shop</title>
<div id="sdk"></div><iframe id="claimed" src="${claimed.replace(/&/g, "&amp;")}"></iframe>
<script src="${under.platform.psp.url}/sdk/v1/checkout.js"></script>
<script>PspCheckout.mount("#sdk", { url: ${JSON.stringify(payment.hostedPageUrl)} });</script>`;
    const refusals: string[] = [];
    page.on("console", (entry) => {
      if (entry.text().includes("frame-ancestors")) refusals.push(entry.text());
    });
    await page.goto(foreign.origin, { waitUntil: "load" });
    await shot("foreign page");

    for (const selector of ["#sdk iframe", "#claimed"]) {
      const frame = (await (await page.locator(selector).elementHandle())!.contentFrame()) as Frame;
      expect(await frame.locator("input[name=card_number]").count(), selector).toBe(0);
      expect(frame.url(), selector).not.toContain("/pay/");
    }
    // Chromium says why: the PSP's frame-ancestors does not list the foreign origin.
    expect(refusals.length).toBe(2);
    expect(refusals.join("\n")).toContain(`"frame-ancestors 'none'"`);
    expect(refusals.join("\n")).toContain(`"frame-ancestors ${merchant.origin}"`);
  });
});
