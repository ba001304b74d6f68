import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PaymentStatus, PendingReason } from "../../gen/payment/v1/payment_pb.js";
import { farExpiry, TEST_CARDS } from "../../scripts/buyer.js";
import { sampleCheckout, waitForStatus } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";
import { expectFitsPhoneWidth, useBrowser } from "./browser.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
const browser = useBrowser();

/** A 35.00 USD checkout of two sellers, created over gRPC; `page` shows its hosted payment page. */
async function openCheckout(page: Page) {
  const payment = (await payments().createPayment(sampleCheckout())).payment!;
  await page.goto(payment.hostedPageUrl);
  return payment as { paymentId: string; statusPageUrl: string };
}

/** Types the card into the hosted page's form as a buyer would; the form is then ready to submit. */
async function fillCard(page: Page, cardNumber: string) {
  await page.getByLabel("Card number").fill(cardNumber);
  await page.getByLabel("Expiry (MM/YY)").fill(farExpiry());
  await page.getByLabel("CVC").fill("123");
  await page.getByLabel("Name on card").fill("Ada Buyer");
}

const heading = (page: Page) => page.locator("h1").innerText();
const payButton = (page: Page) => page.getByRole("button", { name: "Pay USD 35.00" });

/** Opens a new checkout's hosted page, which asks for the amount; types the card in (screenshot) and presses Pay. */
async function payWith(cardNumber: string) {
  const { page, shot } = browser;
  const payment = await openCheckout(page);
  expect(await heading(page)).toBe("Pay");
  expect(await page.locator(".amount").innerText()).toBe("USD 35.00");
  await fillCard(page, cardNumber);
  await shot("card form filled");
  await payButton(page).click();
  return payment;
}

/** Follows the link on the PSP's result page back to the shop: our status page of the payment. */
async function returnToMerchant(page: Page, payment: { statusPageUrl: string }) {
  await page.getByRole("link", { name: "Return to merchant" }).click();
  await page.waitForURL(payment.statusPageUrl);
}

describe("a buyer pays on the PSP's hosted page in a real browser", () => {
  it("pays with the success card: the PSP says successful, and our status page says succeeded", async () => {
    const { page, shot } = browser;
    const payment = await payWith(TEST_CARDS.success);
    await page.locator("#result").waitFor();
    expect(await heading(page)).toBe("Payment successful.");
    await shot("psp says successful");

    const paid = await waitForStatus(payments(), payment.paymentId, PaymentStatus.SUCCEEDED);
    expect(paid.orders.map((o) => o.status)).toEqual([PaymentStatus.SUCCEEDED, PaymentStatus.SUCCEEDED]);
    await returnToMerchant(page, payment);
    expect(await heading(page)).toBe("Payment succeeded");
    expect(await page.locator("main").innerText()).toContain("Total 35.00 USD");
    expect(await page.locator("li").allInnerTexts()).toEqual(["seller-a: 25.00 USD", "seller-b: 10.00 USD"]);
    await shot("status page succeeded");
  });

  it("pays with the decline card: the PSP says declined, and our status page says failed and why", async () => {
    const { page, shot } = browser;
    const payment = await payWith(TEST_CARDS.declined);
    await page.locator("#result").waitFor();
    expect(await heading(page)).toBe("Payment failed.");
    expect(await page.locator("#result .error").innerText()).toBe("Your card was declined.");
    await shot("psp says declined");

    const failed = await waitForStatus(payments(), payment.paymentId, PaymentStatus.FAILED);
    expect(failed).toMatchObject({
      declineCode: "generic_decline",
      failureReason: "card declined: Your card was declined.",
    });
    await returnToMerchant(page, payment);
    expect(await heading(page)).toBe("Payment failed");
    expect(await page.locator("#failure").innerText()).toBe("card declined: Your card was declined.");
    await shot("status page failed");
  });

  it("pays with the 3-D Secure card: authenticates in the bank's challenge, then sees the payment succeed", async () => {
    const { page, shot } = browser;
    const payment = await payWith(TEST_CARDS.threeDSecure);
    await page.getByRole("button", { name: "Authenticate" }).waitFor();
    expect(await heading(page)).toBe("3-D Secure authentication");
    expect(await page.locator("body").innerText()).toContain("Your bank asks you to confirm this payment.");
    await shot("3ds challenge");
    const pending = await waitForStatus(payments(), payment.paymentId, PaymentStatus.PENDING);
    expect(pending.pendingReason).toBe(PendingReason.THREE_D_SECURE);

    await page.getByRole("button", { name: "Authenticate" }).click();
    await page.locator("#result").waitFor();
    expect(await heading(page)).toBe("Payment successful.");
    await shot("psp says successful");

    await waitForStatus(payments(), payment.paymentId, PaymentStatus.SUCCEEDED);
    await returnToMerchant(page, payment);
    expect(await heading(page)).toBe("Payment succeeded");
    await shot("status page succeeded");
  });

  it("fits a phone's screen: the card form is laid out at the phone's width, nothing to scroll sideways", async () => {
    const phone = await browser.phonePage();
    await openCheckout(phone);
    await fillCard(phone, TEST_CARDS.success);
    await expectFitsPhoneWidth(phone);
    await payButton(phone).scrollIntoViewIfNeeded();
    await browser.shot("card form on a phone", phone);
  });
});
