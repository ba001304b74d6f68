import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { NewAuditEntry } from "../domain/audit-log.js";
import type { RequestContext } from "./http-app.js";
import { html, page } from "../views/html.js";
import { sendOperatorRequest, type OperatorRequest } from "./operator-request.js";

/** What the handler gets from the console for one POST; the audit entries it writes are kept. */
function context(audited: Omit<NewAuditEntry, "operatorId">[]): RequestContext {
  return {
    csrf: "token",
    audit: async (entry) => void audited.push(entry),
    page: (title, body, status = 200) => ({ status, body: page(title, body) }),
  } as RequestContext;
}

const refund = (send: () => Promise<unknown>, recorded: () => Promise<boolean>): OperatorRequest => ({
  name: "refund",
  service: "payment service",
  target: "payment pay_1",
  details: { refund_id: "r-1" },
  send,
  recorded,
  doneLocation: "/payments/pay_1?refunded=r-1",
  resubmit: { action: "/payments/pay_1/refunds", fields: { refund_id: "r-1", amount: "5.00" } },
  back: html``,
});

const lost = () => Promise.reject(new ConnectError("the PSP is not answering", Code.Unavailable));

describe("an operator request whose answer may be lost", () => {
  it("counts one the service recorded before failing as requested", async () => {
    const audited: Omit<NewAuditEntry, "operatorId">[] = [];
    const reply = await sendOperatorRequest(
      context(audited),
      refund(lost, async () => true),
    );
    expect(reply).toMatchObject({ status: 303, location: "/payments/pay_1?refunded=r-1" });
    expect(audited.map((a) => a.action)).toEqual(["refund_requested"]);
  });

  it("offers the same request again, same key, when it cannot tell", async () => {
    const audited: Omit<NewAuditEntry, "operatorId">[] = [];
    const reply = await sendOperatorRequest(
      context(audited),
      refund(lost, () => Promise.reject(new ConnectError("down", Code.Unavailable))),
    );
    expect(reply.status).toBe(502);
    expect(reply.body).toContain("The refund is not confirmed");
    expect(reply.body).toContain(
      '<form method="post" action="/payments/pay_1/refunds"><input type="hidden" name="csrf" value="token"><input type="hidden" name="refund_id" value="r-1">',
    );
    expect(reply.body).toContain("Send the same refund again");
    expect(audited).toMatchObject([
      {
        action: "refund_unconfirmed",
        details: {
          refund_id: "r-1",
          error: "The payment service did not answer (Unavailable): the PSP is not answering",
        },
      },
    ]);
  });

  it("without a key to send it again under, says to look first, and audits under its own words", async () => {
    const audited: Omit<NewAuditEntry, "operatorId">[] = [];
    const review = { ...refund(lost, async () => false), name: "risk review", doneAs: "decided", resubmit: undefined };
    const reply = await sendOperatorRequest(context(audited), review);
    expect(reply.body).toContain("The risk review is not confirmed");
    expect(reply.body).toContain("It may have gone through all the same: look before trying again.");
    expect(reply.body).not.toContain("<form");
    expect(audited.map((a) => a.action)).toEqual(["risk_review_unconfirmed"]);
    const done = await sendOperatorRequest(context(audited), {
      ...review,
      send: async () => ({}),
      doneDetails: { transaction_id: "t-1" },
    });
    expect(done.status).toBe(303);
    expect(audited[1]).toEqual({
      action: "risk_review_decided",
      target: "payment pay_1",
      details: { refund_id: "r-1", transaction_id: "t-1" },
    });
  });

  it("says a refusal is one, without offering it again", async () => {
    const audited: Omit<NewAuditEntry, "operatorId">[] = [];
    const refused = () => Promise.reject(new ConnectError("only 20.00 USD remains", Code.FailedPrecondition));
    const reply = await sendOperatorRequest(
      context(audited),
      refund(refused, async () => true),
    );
    expect(reply.status).toBe(409);
    expect(reply.body).toContain("only 20.00 USD remains");
    expect(reply.body).not.toContain("Send the same refund again");
    expect(audited.map((a) => a.action)).toEqual(["refund_refused"]);
  });
});
