import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { walletBalance } from "../ledger/platform-books.js";
import { requestPayout, setPayoutAccount, waitForPayout } from "../payouts/payout-calls.js";
import { openExceptionForUnknownCharge } from "../reconciliation/reconciliation-calls.js";
import { payCheckout, sampleCheckout, usd } from "../support/checkouts.js";
import { deadLetteredPoisonEvent, waitForPayInDeadLetters } from "../support/event-streams.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { navigate, openLoggedIn, rowsOf, tableUnder, usdText, useBrowser, type ConsoleOperator } from "./browser.js";

const under = usePlatform();
const browser = useBrowser();

/** The audit log's rows of `action` (columns #, time, operator, action, target, details), newest first. */
async function auditRows(page: Page, action: string) {
  await navigate(page, "Audit", "/audit");
  return (await rowsOf(page.locator("table"))).filter((cells) => cells[3] === action);
}

describe("operators' roles, dead letters and wallets in the console in a real browser", () => {
  it("finance adds a viewer, who reads payments, wallets and dead letters but can neither adjust nor replay; the addition is audited", async () => {
    const { page, shot } = browser;
    const { exceptionId } = await openExceptionForUnknownCharge(under);
    const { eventId } = await deadLetteredPoisonEvent(under.platform.streams);
    const login = `viewer-${randomUUID().slice(0, 8)}`;
    const viewer: ConsoleOperator = { login, password: "viewer-password", who: `Val Viewer (${login}, viewer)` };

    await openLoggedIn(page, under.platform.console.url, "/operators", { shot });
    await page.getByLabel("Login").fill(viewer.login);
    await page.getByLabel("Display name").fill("Val Viewer");
    await page.getByLabel("Role").selectOption("viewer");
    await page.getByLabel("Password").fill(viewer.password);
    await shot("add operator form");
    await page.getByRole("button", { name: "Add" }).click();
    await page.waitForURL(`**/operators?added=${viewer.login}`);
    expect(await page.getByRole("status").innerText()).toBe(`Operator ${viewer.login} added.`);
    expect((await rowsOf(page.locator("table"))).map((cells) => cells.slice(0, 4))).toContainEqual([
      viewer.login,
      "Val Viewer",
      "viewer",
      "active",
    ]);
    await shot("viewer added");

    const seen = await browser.otherPage();
    const viewerShot = (step: string) => shot(`viewer ${step}`, seen);
    await openLoggedIn(seen, under.platform.console.url, "/payments", { as: viewer, shot: viewerShot });
    expect(await seen.locator("h1").innerText()).toBe("Payments");
    await viewerShot("payments");
    await navigate(seen, "Wallets", "/wallets");
    expect(await seen.locator("h1").innerText()).toBe("Wallets");
    await viewerShot("wallets");
    await navigate(seen, "Operators", "/operators");
    expect(await seen.getByRole("status").innerText()).toBe("Adding operators needs the finance role.");
    expect(await seen.getByRole("button", { name: "Add" }).count()).toBe(0);

    // The exception list offers everyone the link; the adjustment page itself needs the finance role.
    await navigate(seen, "Open exceptions", "/reconciliation/exceptions");
    const adjust = seen.locator(`tr[data-exception-id="${exceptionId}"]`).getByRole("link", { name: "Adjust" });
    const [refusal] = await Promise.all([
      seen.waitForResponse((r) => new URL(r.url()).pathname === `/reconciliation/exceptions/${exceptionId}/adjust`),
      adjust.click(),
    ]);
    await seen.waitForURL(`**/reconciliation/exceptions/${exceptionId}/adjust`);
    expect(refusal.status()).toBe(403);
    expect(await seen.locator("h1").innerText()).toBe("Forbidden");
    expect(await seen.getByRole("alert").innerText()).toBe("This needs the finance role; you are viewer.");
    expect(await seen.getByLabel("Reason").count()).toBe(0);
    await viewerShot("adjust refused");

    await navigate(seen, "Dead letters", "/dead-letters");
    const letters = seen.locator("tbody tr").filter({ hasText: eventId });
    expect(
      (await rowsOf(seen.locator("table"))).filter((cells) => cells[8] === eventId).map((cells) => cells[4]),
    ).toEqual(["poison", "poison"]);
    expect(await letters.getByRole("button", { name: "Replay" }).count()).toBe(0);
    await viewerShot("dead letters without replay");

    const [created] = await auditRows(page, "operator_created");
    expect(created!.slice(2, 5)).toEqual(["admin", "operator_created", viewer.login]);
    expect(JSON.parse(created![5]!)).toEqual({ role: "viewer", display_name: "Val Viewer" });
    await shot("audit log operator created");
  });

  it("finance replays a dead letter: it is gone from the list, its consumer reads the event again, and the replay is audited", async () => {
    const { page, shot } = browser;
    const { eventId, letters } = await deadLetteredPoisonEvent(under.platform.streams);
    const [replayed, kept] = letters.map((l) => l.dlqSeq);
    await openLoggedIn(page, under.platform.console.url, "/dead-letters");

    const row = page.locator(`tr[data-dlq-seq="${replayed}"]`);
    expect(
      (await rowsOf(page.locator("table")))
        .filter((cells) => cells[8] === eventId)
        .map((cells) => [cells[1], cells[4], cells[7]]),
    ).toEqual(
      [replayed, kept].map((seq) => [
        String(seq),
        "poison",
        `${under.platform.streams.subjectPrefix}.payment.succeeded`,
      ]),
    );
    await shot("dead letters");

    await row.getByRole("button", { name: "Replay" }).click();
    await page.waitForURL(`**/dead-letters?replayed=${replayed}`);
    expect(await page.getByRole("status").innerText()).toBe(`Dead letter #${replayed} sent back to its consumer.`);
    expect(await row.count()).toBe(0);
    expect(await page.locator(`tr[data-dlq-seq="${kept}"]`).count()).toBe(1);
    await shot("replayed");

    // Sent back to the consumer that gave up on it: still undecodable, it gives up on it again, beside the one kept.
    const again = await waitForPayInDeadLetters(under.platform.streams, eventId);
    await page.reload();
    for (const { dlqSeq } of again)
      await page.locator(`tr[data-dlq-seq="${dlqSeq}"]`).getByRole("button", { name: "Replay" }).waitFor();
    await shot("replayed event dead-lettered again by its consumer");

    const [audited] = await auditRows(page, "dead_letter_replayed");
    expect(audited!.slice(2, 5)).toEqual(["admin", "dead_letter_replayed", `dead letter ${replayed}`]);
    expect(JSON.parse(audited![5]!)).toMatchObject({ event_id: eventId, consumer: letters[0]!.consumer });
    await shot("audit log dead letter replayed");
  });

  it("after a paid checkout, a seller's wallet shows its net of the platform fee, then a payout and the balance it leaves", async () => {
    const { page, shot } = browser;
    const sellerId = `seller-${randomUUID()}`;
    await payCheckout(
      under.client("payment", "marketplace"),
      sampleCheckout({
        orders: [
          { orderId: "order-1", sellerId, amount: usd(2_500) },
          { orderId: "order-2", sellerId: `seller-${randomUUID()}`, amount: usd(1_000) },
        ],
      }),
    );
    const { sellerNetMinor } = splitOrder(2_500n, PLATFORM_FEE_BPS);
    await waitFor(
      () => walletBalance(under.platform, sellerId, "USD"),
      (b) => b === sellerNetMinor,
      15_000,
      `the wallet credit of ${sellerId}`,
    );

    await openLoggedIn(page, under.platform.console.url, "/wallets");
    expect((await rowsOf(page.locator("table"))).find((cells) => cells[0] === sellerId)?.[1]).toBe(
      usdText(sellerNetMinor),
    );
    await shot("wallets");

    await page.getByRole("link", { name: sellerId }).click();
    await page.waitForURL(`**/wallets/${sellerId}`);
    expect(await page.locator("h1").innerText()).toBe(`Seller ${sellerId}`);
    expect((await rowsOf(tableUnder(page, "Balances"))).map((cells) => cells.slice(0, 2))).toEqual([
      [sellerId, usdText(sellerNetMinor)],
    ]);
    expect(await page.locator("main").innerText()).toContain("No payouts.");
    await shot("seller balance before payout");

    const payoutId = `po-${randomUUID()}`;
    await setPayoutAccount(under.platform, sellerId, "ba_123");
    await requestPayout(under.platform, payoutId, sellerId, 1_000);
    await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
    await page.reload();
    expect((await rowsOf(tableUnder(page, "Balances"))).map((cells) => cells.slice(0, 2))).toEqual([
      [sellerId, usdText(sellerNetMinor - 1_000n)],
    ]);
    expect(await rowsOf(tableUnder(page, "Payouts"))).toEqual([
      [payoutId, "10.00 USD", "PAID", "ba_123", expect.stringMatching(/^po_/), ""],
    ]);
    await shot("seller balance and payout");
  });
});
