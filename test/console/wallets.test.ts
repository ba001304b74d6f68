import { testTls } from "../support/tls.js";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { paidOrder } from "../ledger/platform-books.js";
import { requestPayout, setPayoutAccount, waitForPayout } from "../payouts/payout-calls.js";
import { startConsoleService } from "../../services/console/service.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import { ConsoleBrowser, csrfOf, loggedIn, rowsContaining } from "./console-browser.js";

const under = usePlatform();

describe("wallets in the console", () => {
  it("lists sellers' balances, and a seller's page shows its balance and payouts", async () => {
    const sellerId = `seller-${randomUUID()}`;
    await paidOrder(under.platform, sellerId, 10_000);
    await setPayoutAccount(under.platform, sellerId, "ba_123");
    const payoutId = `po-${randomUUID()}`;
    await requestPayout(under.platform, payoutId, sellerId, 4_000);
    await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);

    const admin = await loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);
    const wallets = await admin.get("/wallets");
    expect(wallets.status).toBe(200);
    // 100.00 USD less the platform fee and the 40.00 USD paid out.
    const [row] = rowsContaining(wallets.html, sellerId);
    expect(row).toMatch(new RegExp(`^${sellerId} \\d+\\.\\d{2} USD `));

    const seller = await admin.get(`/wallets/${encodeURIComponent(sellerId)}`);
    expect(seller.status).toBe(200);
    expect(rowsContaining(seller.html, payoutId)).toEqual([
      expect.stringMatching(new RegExp(`^${payoutId} 40\\.00 USD PAID ba_123 po_`)),
    ]);
    expect(seller.html).toContain(`/payments?seller=${sellerId}`);
    expect((await admin.get("/wallets/nobody-here")).html).toContain("No wallet.");
  });
});

describe("payouts from the console", () => {
  it("finance pays out part of a balance: once whatever the double submits, audited; more than available is refused; a viewer cannot", async () => {
    const sellerId = `seller-${randomUUID()}`;
    await paidOrder(under.platform, sellerId, 10_000); // 97.50 USD after the fee
    await setPayoutAccount(under.platform, sellerId, "ba_456");
    const admin = await loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);
    const page = `/wallets/${encodeURIComponent(sellerId)}`;
    const form = await admin.get(page);
    const payoutId = form.html.match(/name="payout_id" value="([^"]+)"/)![1]!;
    expect(form.html).toContain("Pay out USD</button>");

    expect(
      (
        await admin.post(`${page}/payouts`, {
          csrf: csrfOf(form.html),
          payout_id: payoutId,
          currency: "USD",
          amount: "12.345",
        })
      ).status,
    ).toBe(400);
    const fields = { csrf: csrfOf(form.html), payout_id: payoutId, currency: "USD", amount: "12.34" };
    expect(await admin.post(`${page}/payouts`, fields)).toMatchObject({
      status: 303,
      location: `${page}?payout=${payoutId}`,
    });
    expect((await admin.post(`${page}/payouts`, fields)).status).toBe(303); // a double submit: the same payout
    await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
    const after = await admin.get(`${page}?payout=${payoutId}`);
    expect(after.html).toContain(`Payout ${payoutId} requested`);
    expect(rowsContaining(after.html, "po_")).toEqual([
      expect.stringMatching(new RegExp(`^${payoutId} 12\\.34 USD PAID ba_456 po_`)),
    ]);
    expect(rowsContaining(after.html, `href="/wallets/${sellerId}"`)[0]).toMatch(
      new RegExp(`^${sellerId} 85\\.16 USD `),
    );

    const tooMuch = await admin.post(`${page}/payouts`, {
      ...fields,
      csrf: csrfOf(after.html),
      payout_id: `po-${randomUUID()}`,
      amount: "85.17",
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.html).toContain("85.16 USD");
    const audit = (await admin.get("/audit")).html;
    expect(rowsContaining(audit, 'data-action="payout_requested"').filter((r) => r.includes(sellerId))).toHaveLength(2);
    expect(rowsContaining(audit, 'data-action="payout_refused"').filter((r) => r.includes(sellerId))).toHaveLength(1);
    // The wallet service's own record, beside the console's: the console's identity, the operator it vouched for.
    const walletAudit = (await admin.get("/audit/services?service=wallet")).html;
    const requested = rowsContaining(walletAudit, 'data-method="/wallet.v1.WalletService/RequestPayout"').filter((r) =>
      r.includes(payoutId),
    );
    expect(requested).toEqual([
      expect.stringMatching(/ console admin \/wallet\.v1\.WalletService\/RequestPayout .* OK$/),
      expect.stringMatching(/ console admin \/wallet\.v1\.WalletService\/RequestPayout .* OK$/),
    ]);
    expect(rowsContaining(walletAudit, "FAILED_PRECONDITION").filter((r) => r.includes(sellerId))).toHaveLength(1);

    await admin.submit("/operators", "/operators", {
      id: "pia",
      display_name: "Pia Viewer",
      role: "viewer",
      password: "pia-password",
    });
    const pia = new ConsoleBrowser(under.platform.console.url);
    await pia.login("pia", "pia-password");
    const seen = await pia.get(page);
    expect(seen.html).not.toContain('name="payout_id"');
    expect(
      (await pia.post(`${page}/payouts`, { ...fields, csrf: csrfOf(seen.html), payout_id: `po-${randomUUID()}` }))
        .status,
    ).toBe(403);
  });
});

describe("a payout whose answer is lost", () => {
  it("is offered again under the same payout id, and paid once when sent again", async () => {
    const sellerId = `seller-${randomUUID()}`;
    await paidOrder(under.platform, sellerId, 10_000);
    await setPayoutAccount(under.platform, sellerId, "ba_789");
    // A second console instance, reaching the wallet service through a connection that can be cut.
    const walletPort = Number(new URL(under.platform.wallet.url).port);
    const proxy = await startTcpProxy("127.0.0.1", walletPort);
    const { platform } = under;
    const consoleService = await startConsoleService({
      tls: testTls("console"),
      databaseUrl: platform.database.url,
      paymentUrl: platform.payment.url,
      ledgerUrl: platform.ledger.url,
      reconciliationUrl: platform.reconciliation.url,
      walletUrl: `https://127.0.0.1:${proxy.port}`,
      riskUrl: platform.risk.url,
    });
    try {
      const admin = await loggedIn(consoleService.url, "admin", CONSOLE_ADMIN_PASSWORD);
      const page = `/wallets/${encodeURIComponent(sellerId)}`;
      const form = await admin.get(page);
      const payoutId = form.html.match(/name="payout_id" value="([^"]+)"/)![1]!;

      proxy.cut();
      const lost = await admin.post(`${page}/payouts`, {
        csrf: csrfOf(form.html),
        payout_id: payoutId,
        currency: "USD",
        amount: "20.00",
      });
      expect(lost.status).toBe(502);
      expect(lost.html).toContain("The payout is not confirmed");
      const again = lost.html.match(
        /<form method="post" action="([^"]+)">(.*?)<button type="submit">Send the same payout again<\/button><\/form>/,
      )!;
      const fields = Object.fromEntries(
        [...again[2]!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
      );
      expect(fields).toEqual({ csrf: csrfOf(form.html), payout_id: payoutId, currency: "USD", amount: "20.00" });

      proxy.restore();
      expect(await admin.post(again[1]!, fields)).toMatchObject({
        status: 303,
        location: `${page}?payout=${payoutId}`,
      });
      await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
      const audit = (await admin.get("/audit")).html;
      expect(
        rowsContaining(audit, 'data-action="payout_unconfirmed"').filter((r) => r.includes(sellerId)),
      ).toHaveLength(1);
      expect(rowsContaining(audit, 'data-action="payout_requested"').filter((r) => r.includes(sellerId))).toHaveLength(
        1,
      );
    } finally {
      await consoleService.close();
      await proxy.close();
    }
  });
});
