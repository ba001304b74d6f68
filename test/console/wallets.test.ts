import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { paidOrder } from "../ledger/platform-books.js";
import { requestPayout, setPayoutAccount, waitForPayout } from "../payouts/payout-calls.js";
import { ConsoleBrowser, rowsContaining } from "./console-browser.js";

const under = usePlatform();

describe("wallets in the console", () => {
  it("lists sellers' balances, and a seller's page shows its balance and payouts", async () => {
    const sellerId = `seller-${randomUUID()}`;
    await paidOrder(under.platform, sellerId, 10_000);
    await setPayoutAccount(under.platform, sellerId, "ba_123");
    const payoutId = `po-${randomUUID()}`;
    await requestPayout(under.platform, payoutId, sellerId, 4_000);
    await waitForPayout(under.platform, payoutId, "PAYOUT_STATUS_PAID");

    const admin = new ConsoleBrowser(under.platform.console.url);
    expect((await admin.login("admin", CONSOLE_ADMIN_PASSWORD)).status).toBe(303);
    const wallets = await admin.get("/wallets");
    expect(wallets.status).toBe(200);
    // 100.00 USD less the platform fee and the 40.00 USD paid out.
    const [row] = rowsContaining(wallets.html, sellerId);
    expect(row).toMatch(new RegExp(`^${sellerId} \\d+\\.\\d{2} USD `));

    const seller = await admin.get(`/wallets/${encodeURIComponent(sellerId)}`);
    expect(seller.status).toBe(200);
    expect(rowsContaining(seller.html, payoutId)).toEqual([expect.stringMatching(new RegExp(`^${payoutId} 40\\.00 USD PAID ba_123 po_`))]);
    expect(seller.html).toContain(`/payments?seller=${sellerId}`);
    expect((await admin.get("/wallets/nobody-here")).html).toContain("No wallet.");
  });
});
