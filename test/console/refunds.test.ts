import { describe, expect, it } from "vitest";
import { RefundStatus } from "../../gen/payment/v1/payment_pb.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { csrfOf, loggedIn as loggedInAs, rowsContaining } from "./console-browser.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");

const loggedIn = (login: string, password: string) => loggedInAs(under.platform.console.url, login, password);

const refundIdOf = (html: string) => html.match(/name="refund_id" value="([^"]+)"/)![1]!;

describe("refunds in the console", () => {
  it("finance refunds part of an order: sent once whatever the double submits, shown with its split, audited; too much is refused", async () => {
    // 25.00 USD for seller-a (order-1), 10.00 USD for seller-b (order-2).
    const paymentId = await payCheckout(payments(), sampleCheckout());
    const admin = await loggedIn("admin", CONSOLE_ADMIN_PASSWORD);
    const page = `/payments/${paymentId}`;
    const form = await admin.get(page);
    expect(form.html).toContain('<option value="order-1">order-1 (seller-a, 25.00 USD)</option>');
    const refundId = refundIdOf(form.html);
    const fields = { refund_id: refundId, order_id: "order-1", amount: "5.00", reason: "arrived damaged" };

    for (const amount of ["5.005", "-5", "0", "5,00"]) {
      const refused = await admin.post(`${page}/refunds`, { csrf: csrfOf(form.html), ...fields, amount });
      expect(refused.status, amount).toBe(400);
      expect(refused.html).toContain("is not an amount in USD: digits, with at most 2 decimals, more than zero.");
    }
    const sent = await admin.post(`${page}/refunds`, { csrf: csrfOf(form.html), ...fields });
    expect(sent).toMatchObject({ status: 303, location: `${page}?refunded=${refundId}` });
    // The same form posted again (a double click): the same refund, not a second one.
    expect((await admin.post(`${page}/refunds`, { csrf: csrfOf(form.html), ...fields })).status).toBe(303);
    const refunds = await waitFor(
      () =>
        payments()
          .listRefunds({ paymentId })
          .then((r) => r.refunds),
      (rs) => rs.length === 1 && rs[0]!.status === RefundStatus.SUCCEEDED,
      15_000,
      "the refund to succeed",
    );
    expect(refunds[0]).toMatchObject({
      refundId,
      orderId: "order-1",
      amount: { amountMinor: 500n, currency: "USD" },
      reason: "arrived damaged",
    });

    const after = await admin.get(`${page}?refunded=${refundId}`);
    expect(after.html).toContain(`Refund ${refundId} sent to the PSP`);
    expect(after.html).toMatch(/<dt>Status<\/dt><dd class="status">PARTIALLY_REFUNDED<\/dd>/);
    const [row] = rowsContaining(after.html, `data-refund-id="${refundId}"`);
    expect(row).toMatch(
      new RegExp(`^${refundId} order-1 5.00 USD 0.13 USD 4.87 USD SUCCEEDED re_\\S+ arrived damaged `),
    );

    const tooMuch = await admin.post(`${page}/refunds`, {
      csrf: csrfOf(after.html),
      ...fields,
      refund_id: refundIdOf(after.html),
      amount: "20.01",
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.html).toContain("20.00 USD");
    const audit = (await admin.get("/audit")).html;
    expect(rowsContaining(audit, 'data-action="refund_requested"').filter((r) => r.includes(paymentId))).toHaveLength(
      2,
    );
    expect(rowsContaining(audit, 'data-action="refund_refused"').filter((r) => r.includes(paymentId))).toHaveLength(1);
  });

  it("counts a refund recorded before the PSP failed as requested (it goes out later), not as refused", async () => {
    const paymentId = await payCheckout(payments(), sampleCheckout());
    const admin = await loggedIn("admin", CONSOLE_ADMIN_PASSWORD);
    const page = `/payments/${paymentId}`;
    const form = await admin.get(page);
    const refundId = refundIdOf(form.html);
    under.platform.psp.setFaults({ error_rate: 1 });
    try {
      const sent = await admin.post(`${page}/refunds`, {
        csrf: csrfOf(form.html),
        refund_id: refundId,
        order_id: "order-2",
        amount: "1.00",
        reason: "late delivery",
      });
      expect(sent).toMatchObject({ status: 303, location: `${page}?refunded=${refundId}` });
    } finally {
      under.platform.psp.setFaults({});
    }
    const { refunds } = await payments().listRefunds({ paymentId });
    expect(refunds).toMatchObject([{ refundId, status: RefundStatus.PENDING }]);
    const audit = (await admin.get("/audit")).html;
    expect(rowsContaining(audit, 'data-action="refund_requested"').filter((r) => r.includes(refundId))).toHaveLength(1);
    expect(rowsContaining(audit, 'data-action="refund_refused"').filter((r) => r.includes(paymentId))).toEqual([]);
  });

  it("shows a viewer the refunds but no form, and refuses one posted", async () => {
    const paymentId = await payCheckout(payments(), sampleCheckout());
    const admin = await loggedIn("admin", CONSOLE_ADMIN_PASSWORD);
    await admin.submit("/operators", "/operators", {
      id: "rob",
      display_name: "Rob Viewer",
      role: "viewer",
      password: "rob-password",
    });
    const rob = await loggedIn("rob", "rob-password");
    const page = await rob.get(`/payments/${paymentId}`);
    expect(page.html).toContain("No refunds.");
    expect(page.html).not.toContain('name="refund_id"');
    const posted = await rob.post(`/payments/${paymentId}/refunds`, {
      csrf: csrfOf(page.html),
      refund_id: "r-rob",
      order_id: "order-1",
      amount: "1.00",
      reason: "x",
    });
    expect(posted.status).toBe(403);
    expect((await payments().listRefunds({ paymentId })).refunds).toEqual([]);
  });
});
