import { describe, expect, it } from "vitest";
import { createDb } from "../../services/lib/db.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { ConsoleBrowser, csrfOf, loggedIn, rowsContaining } from "./console-browser.js";

const under = usePlatform();
const browser = () => new ConsoleBrowser(under.platform.console.url);

const loggedInAdmin = () => loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);

async function auditRows(action: string): Promise<string[]> {
  const page = await (await loggedInAdmin()).get("/audit");
  return rowsContaining(page.html, `data-action="${action}"`);
}

/** A checkout of 25.00 USD (seller-a) and 10.00 USD (seller-b), paid with the success card, once SUCCEEDED. */
async function paidCheckout(): Promise<{ paymentId: string; buyerId: string }> {
  const request = sampleCheckout();
  return { paymentId: await payCheckout(under.client("payment", "marketplace"), request), buyerId: request.buyerId };
}

describe("console: login, sessions, roles, CSRF and audit", () => {
  it("sends a visitor without a session to the login page, and keeps where they were going", async () => {
    const res = await browser().get("/payments?buyer=b1");
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/login?next=${encodeURIComponent("/payments?buyer=b1")}`);
    for (const path of ["/", "/ledger", "/reconciliation", "/audit", "/operators", "/payments/pay_x"]) {
      expect((await browser().get(path)).location, path).toMatch(/^\/login/);
    }
  });

  it("refuses a wrong password and audits the attempt; the right one opens an HttpOnly, SameSite=Strict session", async () => {
    const visitor = browser();
    const wrong = await visitor.login("admin", "not-the-password");
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain("Wrong login or password.");
    expect((await visitor.get("/payments")).status).toBe(303);
    expect((await auditRows("login_failed")).some((row) => row.includes("admin"))).toBe(true);

    const right = await visitor.login("admin", CONSOLE_ADMIN_PASSWORD);
    expect(right.status).toBe(303);
    expect(right.location).toBe("/overview");
    const session = right.setCookies.find((c) => c.startsWith("console_session="))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    const payments = await visitor.get("/payments");
    expect(payments.status).toBe(200);
    expect(payments.html).toContain("Administrator (admin, finance)");
    expect((await auditRows("login")).length).toBeGreaterThanOrEqual(2);
  });

  it("never sends a login off-site, whatever next= says; a path on the console is kept", async () => {
    const offSite = [
      "//evil.example/x",
      "/.//evil.example",
      "/\\evil.example",
      "/./\\evil.example",
      "/%2e//evil.example",
      "/\t/evil.example",
      "https://evil.example/",
      "http:evil.example",
    ];
    for (const next of offSite) {
      const visitor = browser();
      const res = await visitor.submit(`/login?next=${encodeURIComponent(next)}`, "/login", {
        operator: "admin",
        password: CONSOLE_ADMIN_PASSWORD,
        next,
      });
      expect(res.status, next).toBe(303);
      expect(res.location, next).toBe("/overview");
    }
    const kept = await browser().submit("/login", "/login", {
      operator: "admin",
      password: CONSOLE_ADMIN_PASSWORD,
      next: "/payments?buyer=b1",
    });
    expect(kept.location).toBe("/payments?buyer=b1");
  });

  it("refuses a login form posted without its CSRF token", async () => {
    const res = await browser().post("/login", { operator: "admin", password: CONSOLE_ADMIN_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.setCookies.some((c) => c.startsWith("console_session="))).toBe(false);
  });

  it("keeps a login form valid when another login page is opened meanwhile (a second tab, the browser's favicon request)", async () => {
    const visitor = browser();
    const first = await visitor.get("/login");
    expect((await visitor.get("/favicon.ico")).location).toBe("/login?next=%2Ffavicon.ico");
    await visitor.get("/login?next=%2Ffavicon.ico");
    const res = await visitor.post("/login", {
      csrf: csrfOf(first.html),
      operator: "admin",
      password: CONSOLE_ADMIN_PASSWORD,
    });
    expect(res.status).toBe(303);
  });

  it("refuses an action posted without the CSRF token, or with another session's", async () => {
    const admin = await loggedInAdmin();
    const other = await loggedInAdmin();
    const fields = { id: "no-csrf", display_name: "No CSRF", role: "viewer", password: "long-enough-1" };
    expect((await admin.post("/operators", fields)).status).toBe(403);
    const othersToken = csrfOf((await other.get("/operators")).html);
    expect((await admin.post("/operators", { ...fields, csrf: othersToken })).status).toBe(403);
    expect((await admin.get("/operators")).html).not.toContain("no-csrf");
  });

  it("lets finance add a viewer, who can read but gets 403 on an action; both are audited", async () => {
    const admin = await loggedInAdmin();
    const added = await admin.submit("/operators", "/operators", {
      id: "vera",
      display_name: "Vera Viewer",
      role: "viewer",
      password: "viewer-password",
    });
    expect(added.status).toBe(303);
    expect(rowsContaining((await admin.get("/operators")).html, "vera")).toEqual([
      "vera Vera Viewer viewer active Disable",
    ]);

    const vera = browser();
    expect((await vera.login("vera", "viewer-password")).status).toBe(303);
    expect((await vera.get("/payments")).status).toBe(200);
    const operators = await vera.get("/operators");
    expect(operators.html).toContain("Adding operators needs the finance role.");
    const refused = await vera.post("/operators", {
      csrf: csrfOf(operators.html),
      id: "sneaky",
      display_name: "Sneaky",
      role: "finance",
      password: "sneaky-password",
    });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain("This needs the finance role");
    expect((await admin.get("/operators")).html).not.toContain("sneaky");

    const created = await auditRows("operator_created");
    expect(created.some((row) => row.includes("admin operator_created vera"))).toBe(true);
    expect((await auditRows("login")).some((row) => row.includes("vera login vera"))).toBe(true);
  });

  it("throttles password guessing per login and client: after 5 failures even the right password is refused for a while", async () => {
    const admin = await loggedInAdmin();
    await admin.submit("/operators", "/operators", {
      id: "tess",
      display_name: "Tess",
      role: "viewer",
      password: "tess-password",
    });
    const tess = browser();
    // A success resets the count: four failures, a success, then five more failures.
    for (let i = 0; i < 4; i++) expect((await tess.login("tess", `guess-${i}`)).status).toBe(401);
    expect((await tess.login("tess", "tess-password")).status).toBe(303);
    for (let i = 0; i < 5; i++) expect((await browser().login("tess", `guess-${i}`)).status).toBe(401);

    const refused = await browser().login("tess", "tess-password");
    expect(refused.status).toBe(429);
    expect(refused.html).toMatch(
      /Too many failed logins for &#34;tess&#34; from your address: try again at \d\d:\d\d UTC\./,
    );
    expect(refused.setCookies.some((c) => c.startsWith("console_session="))).toBe(false);
    expect((await auditRows("login_throttled")).some((row) => row.includes("tess login_throttled tess"))).toBe(true);
    // Other logins are not slowed.
    expect((await browser().login("admin", CONSOLE_ADMIN_PASSWORD)).status).toBe(303);
  });

  it("counts guesses sent all at once one after another: only 5 are tried", async () => {
    const admin = await loggedInAdmin();
    await admin.submit("/operators", "/operators", {
      id: "pat",
      display_name: "Pat",
      role: "viewer",
      password: "pat-password",
    });
    const statuses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        browser()
          .login("pat", `guess-${i}`)
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect((await auditRows("login_failed")).filter((row) => row.includes("pat login_failed pat"))).toHaveLength(5);
  });

  it("lets finance disable an operator: every session of theirs stops at its next request, and they cannot log in again", async () => {
    const admin = await loggedInAdmin();
    await admin.submit("/operators", "/operators", {
      id: "fin2",
      display_name: "Fin Two",
      role: "finance",
      password: "fin2-password",
    });
    const laptop = await loggedIn(under.platform.console.url, "fin2", "fin2-password");
    const phone = await loggedIn(under.platform.console.url, "fin2", "fin2-password");
    const laptopForm = await laptop.get("/operators");
    expect(laptopForm.status).toBe(200);

    const disabled = await admin.post("/operators/fin2/disable", {
      csrf: csrfOf((await admin.get("/operators")).html),
    });
    expect(disabled).toMatchObject({ status: 303, location: "/operators?disabled=fin2" });
    expect(rowsContaining((await admin.get("/operators")).html, "fin2")[0]).toMatch(
      /^fin2 Fin Two finance disabled \d{4}-/,
    );

    // Sessions opened before: pages send them to the login, and a form posted from a page loaded before is refused.
    expect((await phone.get("/payments")).status).toBe(303);
    const posted = await laptop.post("/operators", {
      csrf: csrfOf(laptopForm.html),
      id: "fin3",
      display_name: "Fin Three",
      role: "finance",
      password: "fin3-password",
    });
    expect(posted.status).toBe(401);
    expect((await admin.get("/operators")).html).not.toContain("fin3");
    // The right password no longer opens a session, with the same answer as a wrong one.
    const again = await browser().login("fin2", "fin2-password");
    expect(again.status).toBe(401);
    expect(again.html).toContain("Wrong login or password.");

    expect(
      (await auditRows("operator_disabled")).some((row) =>
        row.includes("admin operator_disabled fin2 {&#34;sessions_ended&#34;:2}"),
      ),
    ).toBe(true);
    // Once is enough; nobody disables themself; a viewer may not disable anyone.
    expect(
      (await admin.post("/operators/fin2/disable", { csrf: csrfOf((await admin.get("/operators")).html) })).status,
    ).toBe(404);
    expect(
      (await admin.post("/operators/admin/disable", { csrf: csrfOf((await admin.get("/operators")).html) })).status,
    ).toBe(409);
    await admin.submit("/operators", "/operators", {
      id: "wendy",
      display_name: "Wendy Viewer",
      role: "viewer",
      password: "wendy-password",
    });
    const wendy = await loggedIn(under.platform.console.url, "wendy", "wendy-password");
    expect(
      (await wendy.post("/operators/vera/disable", { csrf: csrfOf((await wendy.get("/operators")).html) })).status,
    ).toBe(403);
  });

  it("logs out: the session no longer opens pages, and the logout is audited", async () => {
    const admin = await loggedInAdmin();
    const out = await admin.logout();
    expect(out.status).toBe(303);
    expect(out.location).toBe("/login");
    expect((await admin.get("/payments")).status).toBe(303);
    expect((await auditRows("logout")).some((row) => row.includes("admin logout admin"))).toBe(true);
  });

  it("keeps the audit log insert-only: the database refuses to change or delete a row", async () => {
    const db = createDb(under.platform.database.url, "console");
    try {
      await expect(db("audit_log").update({ action: "tampered" })).rejects.toThrow(/audit log is insert-only/);
      await expect(db("audit_log").delete()).rejects.toThrow(/audit log is insert-only/);
      await expect(db.raw("truncate audit_log")).rejects.toThrow(/audit log is insert-only/);
    } finally {
      await db.destroy();
    }
  });
});

describe("console: payments, ledger and reconciliation pages", () => {
  it("finds a paid checkout by id and by buyer; its page shows its orders, amounts and ledger transaction", async () => {
    const { paymentId, buyerId } = await paidCheckout();
    const admin = await loggedInAdmin();

    const byId = await admin.get(`/payments?payment_id=${encodeURIComponent(paymentId)}`);
    expect(byId.status).toBe(303);
    expect(byId.location).toBe(`/payments/${paymentId}`);
    const page = await admin.get(byId.location!);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`data-status="SUCCEEDED"`);
    expect(page.html).toContain("35.00 USD");
    expect(rowsContaining(page.html, "order-1")).toEqual(["order-1 seller-a 25.00 USD 25.00 USD SUCCEEDED"]);
    expect(rowsContaining(page.html, "order-2")).toEqual(["order-2 seller-b 10.00 USD 10.00 USD SUCCEEDED"]);
    expect(page.html).toContain(`href="/ledger/transactions/${encodeURIComponent(`payin:${paymentId}`)}"`);
    // The timeline: its status changes, the PSP's webhook as received, the events published.
    const timeline = page.html.slice(page.html.indexOf("<h2>Timeline</h2>"));
    expect(rowsContaining(timeline, "status").map((row) => row.split(" ").slice(-2).join(" "))).toEqual(
      expect.arrayContaining(["status EXECUTING", "status SUCCEEDED"]),
    );
    expect(rowsContaining(timeline, "webhook received").some((row) => row.includes("payment.succeeded"))).toBe(true);
    expect(rowsContaining(timeline, "event published").length).toBeGreaterThan(0);

    const byBuyer = await admin.get(`/payments?buyer=${encodeURIComponent(buyerId)}`);
    expect(byBuyer.status).toBe(200);
    const bySellerAndStatus = await admin.get(
      `/payments?buyer=${encodeURIComponent(buyerId)}&seller=seller-b&status=SUCCEEDED`,
    );
    expect(rowsContaining(bySellerAndStatus.html, paymentId)).toHaveLength(1);
    const otherStatus = await admin.get(`/payments?buyer=${encodeURIComponent(buyerId)}&status=FAILED`);
    expect(otherStatus.status).toBe(200);
    expect(rowsContaining(otherStatus.html, paymentId)).toEqual([]);
    expect(otherStatus.html).toContain("No payments match.");
    expect(otherStatus.html).toContain("<option selected>FAILED</option>");
    const rows = rowsContaining(byBuyer.html, paymentId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(
      new RegExp(`^${paymentId} ${buyerId} seller-a, seller-b SUCCEEDED 35\\.00 USD \\d{4}-\\d\\d-\\d\\d `),
    );
  });

  it("shows the pay-in's ledger transaction with its entries, and an account's balance and entries", async () => {
    const { paymentId } = await paidCheckout();
    const admin = await loggedInAdmin();
    const path = `/ledger/transactions/${encodeURIComponent(`payin:${paymentId}`)}`;
    const page = await waitFor(
      () => admin.get(path),
      (p) => p.status === 200,
      15_000,
      "the pay-in to be booked",
    );
    expect(page.html).toContain(`data-transaction-id="payin:${paymentId}"`);
    expect(rowsContaining(page.html, "psp_receivable:USD")).toEqual(["psp_receivable:USD 35.00 USD"]);
    expect(rowsContaining(page.html, "seller_payable:seller-a:USD")).toEqual(["seller_payable:seller-a:USD 24.37 USD"]);
    expect(rowsContaining(page.html, "seller_payable:seller-b:USD")).toEqual(["seller_payable:seller-b:USD 9.75 USD"]);
    expect(rowsContaining(page.html, "platform_fee_revenue:USD")).toEqual(["platform_fee_revenue:USD 0.88 USD"]);
    expect(page.html).toContain(`href="/payments/${paymentId}"`);

    // Entry listings show a posting once every older database transaction has finished (see the ledger's README).
    const account = await waitFor(
      () => admin.get(`/ledger/accounts/${encodeURIComponent("seller_payable:seller-a:USD")}`),
      (p) => rowsContaining(p.html, `payin:${paymentId}`).length > 0,
      15_000,
      "the account's entries to list the pay-in",
    );
    expect(account.status).toBe(200);
    expect(account.html).toContain("LIABILITY");
    expect(account.html).toMatch(/<dd id="balance">\d+\.\d\d USD<\/dd>/);
    expect(rowsContaining(account.html, `payin:${paymentId}`)).toHaveLength(1);

    // The accounts, with their balances, by prefix.
    const balance = account.html.match(/<dd id="balance">([^<]+)<\/dd>/)![1]!;
    const listed = await admin.get(`/ledger?prefix=${encodeURIComponent("seller_payable:seller-")}`);
    expect(rowsContaining(listed.html, "seller_payable:seller-a:USD")[0]).toMatch(
      new RegExp(`^seller_payable:seller-a:USD liability ${balance} \\S+ USD \\S+ USD$`),
    );
    expect(rowsContaining(listed.html, "seller_payable:seller-b:USD")).toHaveLength(1);
    expect(rowsContaining(listed.html, "psp_receivable:USD")).toEqual([]);

    const missing = await admin.get(`/ledger/transactions/${encodeURIComponent("payin:pay_does_not_exist")}`);
    expect(missing.status).toBe(404);
  });

  it("escapes what a person typed: a hostile buyer id comes back as text, never as markup", async () => {
    const admin = await loggedInAdmin();
    const hostile = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    const page = await admin.get(`/payments?buyer=${encodeURIComponent(hostile)}`);
    expect(page.html).not.toContain("<script>");
    expect(page.html).not.toContain("<img");
    expect(page.html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    const byId = await admin.get(`/payments/${encodeURIComponent(hostile)}`);
    expect(byId.html).not.toContain("<script>");
    expect((await admin.get("/payments/%E0%A4%A")).status).toBe(400);
  });

  it("serves phone-width pages that load nothing from another host", async () => {
    const { paymentId } = await paidCheckout();
    const admin = await loggedInAdmin();
    const pages = [
      await browser().get("/login"),
      await admin.get("/payments"),
      await admin.get(`/payments/${paymentId}`),
      await admin.get("/ledger"),
      await admin.get("/audit"),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.html).toContain(`<meta name="viewport" content="width=device-width, initial-scale=1">`);
      expect(page.html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+[:/]/i);
      expect(page.html).toContain("@media (max-width:40rem)");
    }
  });

  it("lists reconciliation runs and the open-exception queue", async () => {
    const admin = await loggedInAdmin();
    const runs = await admin.get("/reconciliation");
    expect(runs.status).toBe(200);
    expect(runs.html).toContain("Reconciliation runs");
    const queue = await admin.get("/reconciliation/exceptions");
    expect(queue.status).toBe(200);
    expect(queue.html).toContain("Open exceptions");
    expect((await admin.get("/reconciliation/runs/999999")).status).toBe(404);
  });
});
