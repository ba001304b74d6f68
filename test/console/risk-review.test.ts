import { describe, expect, it } from "vitest";
import { PaymentStatus, ReviewOutcome } from "../../gen/payment/v1/payment_pb.js";
import { heldForReview } from "../support/checkouts.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { csrfOf, loggedIn as loggedInAs, rowsContaining } from "./console-browser.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");

const getPayment = (paymentId: string) =>
  payments()
    .getPayment({ paymentId })
    .then((r) => r.payment!);

const loggedIn = (login: string, password: string) => loggedInAs(under.platform.console.url, login, password);

describe("risk reviews in the console", () => {
  it("lists the payments held for review; finance approves one (it goes to the PSP) or rejects one (it fails), audited", async () => {
    const [approveId, rejectId] = [await heldForReview(payments()), await heldForReview(payments())];
    const admin = await loggedIn("admin", CONSOLE_ADMIN_PASSWORD);
    const queue = await admin.get("/risk-reviews");
    expect(rowsContaining(queue.html, approveId)[0]).toContain("6000.00 USD");
    expect(rowsContaining(queue.html, rejectId)).toHaveLength(1);

    const page = `/payments/${approveId}`;
    const held = await admin.get(page);
    expect(held.html).toMatch(/<dt>Decision<\/dt><dd>review<\/dd>/);
    expect(held.html).toContain("amount_review: ");
    expect(held.html).toContain(`action="/payments/${approveId}/review"`);

    expect((await admin.submit(page, `${page}/review`, { outcome: "approve", note: "" })).status).toBe(400);
    const approved = await admin.submit(page, `${page}/review`, {
      outcome: "approve",
      note: "known buyer, called them",
    });
    expect(approved).toMatchObject({ status: 303, location: `${page}?reviewed=approve` });
    const registered = await getPayment(approveId);
    expect(registered).toMatchObject({
      status: PaymentStatus.EXECUTING,
      risk: { reviewOutcome: ReviewOutcome.APPROVED, reviewer: "admin", reviewNote: "known buyer, called them" },
    });
    expect(registered.hostedPageUrl).not.toBe("");
    const after = await admin.get(`${page}?reviewed=approve`);
    expect(after.html).toContain("Review recorded: approved.");
    expect(after.html).toContain("approved by admin: known buyer, called them");
    expect(after.html).not.toContain(`action="/payments/${approveId}/review"`);

    const rejectPage = `/payments/${rejectId}`;
    expect(
      (await admin.submit(rejectPage, `${rejectPage}/review`, { outcome: "reject", note: "stolen card pattern" }))
        .status,
    ).toBe(303);
    expect(await getPayment(rejectId)).toMatchObject({
      status: PaymentStatus.FAILED,
      risk: { reviewOutcome: ReviewOutcome.REJECTED },
    });
    expect(rowsContaining((await admin.get("/risk-reviews")).html, approveId)).toEqual([]);

    // Deciding again is refused by the payment service: shown, and audited as refused.
    const again = await admin.post(`${page}/review`, {
      csrf: csrfOf(after.html),
      outcome: "reject",
      note: "second thoughts",
    });
    expect(again.status).toBe(409);
    expect(again.html).toContain("is not waiting for a risk review");
    const audit = (await admin.get("/audit")).html;
    expect(
      rowsContaining(audit, 'data-action="risk_review_decided"').filter((row) => row.includes(approveId))[0],
    ).toContain("known buyer, called them");
    expect(rowsContaining(audit, 'data-action="risk_review_refused"').some((row) => row.includes(approveId))).toBe(
      true,
    );
  });

  it("shows a viewer the review but not the decision, and refuses one posted", async () => {
    const paymentId = await heldForReview(payments());
    const admin = await loggedIn("admin", CONSOLE_ADMIN_PASSWORD);
    await admin.submit("/operators", "/operators", {
      id: "rita",
      display_name: "Rita Viewer",
      role: "viewer",
      password: "rita-password",
    });
    const rita = await loggedIn("rita", "rita-password");
    const page = await rita.get(`/payments/${paymentId}`);
    expect(page.html).toContain("Waits for a risk review: deciding needs the finance role.");
    expect(page.html).not.toContain(`action="/payments/${paymentId}/review"`);
    expect(
      (await rita.post(`/payments/${paymentId}/review`, { csrf: csrfOf(page.html), outcome: "approve", note: "me" }))
        .status,
    ).toBe(403);
    expect((await getPayment(paymentId)).status).toBe(PaymentStatus.NOT_STARTED);
  });
});
