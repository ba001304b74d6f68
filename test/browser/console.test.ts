import { describe, expect, it } from "vitest";
import { ExceptionStatus } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { postedEntries } from "../ledger/platform-books.js";
import {
  openExceptionForUnknownCharge,
  paidPayment,
  reconciliation,
  waitForTransaction,
} from "../reconciliation/reconciliation-calls.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";
import { expectFitsPhoneWidth, openLoggedIn, rowsOf, tableUnder, useBrowser } from "./browser.js";

const under = usePlatform();
const browser = useBrowser();

/** A 35.00 USD checkout (25.00 for seller-a, 10.00 for seller-b) paid with the success card, once the ledger booked it. */
async function bookedPayment() {
  const request = sampleCheckout();
  const paymentId = await payCheckout(under.client("payment", "marketplace"), request);
  await waitForTransaction(under, `payin:${paymentId}`);
  return { paymentId, buyerId: request.buyerId };
}

describe("an operator works in the console in a real browser", () => {
  it("finds a payment by its buyer, reads its timeline, and follows it to its ledger entries", async () => {
    const { page, shot } = browser;
    const { paymentId, buyerId } = await bookedPayment();
    await openLoggedIn(page, under.platform.console.url, "/payments", { shot });

    await page.getByLabel("Buyer").fill(buyerId);
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/buyer=/);
    const found = await rowsOf(page.locator("table"));
    expect(found).toEqual([
      [
        paymentId,
        buyerId,
        "seller-a, seller-b",
        "SUCCEEDED",
        "35.00 USD",
        expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      ],
    ]);
    await shot("search by buyer");

    await page.getByRole("link", { name: paymentId }).click();
    await page.waitForURL(`**/payments/${paymentId}`);
    expect(await page.locator("#payment .status").innerText()).toBe("SUCCEEDED");
    expect(await rowsOf(tableUnder(page, "Orders"))).toEqual([
      ["order-1", "seller-a", "25.00 USD", "25.00 USD", "SUCCEEDED"],
      ["order-2", "seller-b", "10.00 USD", "10.00 USD", "SUCCEEDED"],
    ]);
    const timeline = (await rowsOf(tableUnder(page, "Timeline"))).map(([, what, detail]) => `${what}: ${detail}`);
    expect(timeline).toEqual(expect.arrayContaining(["status: EXECUTING", "status: SUCCEEDED"]));
    expect(timeline.filter((line) => line.startsWith("webhook received: payment.succeeded "))).toHaveLength(1);
    expect(timeline.some((line) => line.startsWith("event published: "))).toBe(true);
    await shot("payment and its timeline");

    await page.getByRole("link", { name: `payin:${paymentId}` }).click();
    await page.waitForURL(`**/ledger/transactions/${encodeURIComponent(`payin:${paymentId}`)}`);
    expect(await rowsOf(tableUnder(page, "Entries"))).toEqual([
      ["psp_receivable:USD", "35.00 USD", ""],
      ["seller_payable:seller-a:USD", "", "24.37 USD"],
      ["seller_payable:seller-b:USD", "", "9.75 USD"],
      ["platform_fee_revenue:USD", "", "0.88 USD"],
    ]);
    await shot("ledger transaction entries");
  });

  it("resolves a reconciliation exception with an adjustment, sees it closed and audited", async () => {
    const { page, shot } = browser;
    await paidPayment(under); // opens the accounts the adjustment posts to
    const exception = await openExceptionForUnknownCharge(under);
    const [exceptionId, runId] = [String(exception.exceptionId), String(exception.runId)];
    await openLoggedIn(page, under.platform.console.url, "/reconciliation/exceptions");

    const row = page.locator(`tr[data-exception-id="${exceptionId}"]`);
    expect((await rowsOf(page.locator("table"))).map((cells) => cells.slice(0, 8))).toEqual([
      [exceptionId, "2024-02-01", "missing_in_ledger", "charge", "2", "pay_ghost", "pi_ghost", "5.00 USD"],
    ]);
    await shot("open exceptions");

    await row.getByRole("link", { name: "Adjust" }).click();
    await page.getByLabel("Reason").fill("the PSP confirmed a charge we never recorded");
    await page.getByLabel("These entries").check();
    await page
      .locator('textarea[name="entries"]')
      .fill("DEBIT psp_receivable:USD 500 USD\nCREDIT platform_fee_revenue:USD 500 USD");
    await shot("adjustment form");
    await page.getByRole("button", { name: "Post the adjustment" }).click();

    await page.waitForURL(`**/reconciliation/exceptions?adjusted=${exceptionId}`);
    expect(await page.getByRole("status").innerText()).toBe(`Exception ${exceptionId} adjusted.`);
    expect(await page.locator("main").innerText()).toContain("No open exceptions.");
    await shot("exception no longer open");

    await page.getByRole("link", { name: "Reconciliation", exact: true }).click();
    await page.waitForURL("**/reconciliation");
    await page.getByRole("link", { name: runId, exact: true }).click();
    await page.waitForURL(`**/reconciliation/runs/${runId}`);
    const [closed] = await rowsOf(tableUnder(page, "Exceptions"));
    expect(closed![11]).toBe("adjusted");
    await shot("run shows the exception adjusted");
    const { exceptions } = await reconciliation(under).listExceptions({ runId: exception.runId });
    expect(exceptions).toMatchObject([
      { exceptionId: exception.exceptionId, status: ExceptionStatus.ADJUSTED, adjustment: { operatorId: "admin" } },
    ]);
    expect(await postedEntries(under.platform, `adjustment:${exceptionId}`)).toEqual([
      "Dr psp_receivable:USD 500",
      "Cr platform_fee_revenue:USD 500",
    ]);

    await page.getByRole("link", { name: "Audit" }).click();
    await page.waitForURL("**/audit");
    const [latest] = await rowsOf(page.locator("table"));
    expect(latest!.slice(2, 5)).toEqual(["admin", "adjustment_posted", `exception ${exceptionId}`]);
    expect(latest![5]).toContain('"reason":"the PSP confirmed a charge we never recorded"');
    await shot("audit log");
  });

  it("fits a phone's screen: a payment's page and the overview's charts are laid out at the phone's width, nothing to scroll sideways", async () => {
    const { paymentId } = await bookedPayment();
    const phone = await browser.phonePage();
    await openLoggedIn(phone, under.platform.console.url, `/payments/${paymentId}`);
    await expectFitsPhoneWidth(phone);
    await browser.shot("payment on a phone", phone);

    await phone.getByRole("link", { name: "Overview" }).click();
    await phone.waitForURL("**/overview");
    const charts = phone.locator("figure.chart svg[role=img]");
    expect(await charts.count()).toBeGreaterThanOrEqual(2);
    expect(await charts.first().getAttribute("aria-label")).toBe(
      "Payments created, last 24 hours, per hour, and their success rate",
    );
    await expectFitsPhoneWidth(phone);
    await browser.shot("overview charts on a phone", phone);
  });
});
