import { describe, expect, it } from "vitest";
import { pageToken, startTestSimulator, VALID_EXP, type TestSimulator } from "./test-support.js";

const SHOP = "https://shop.example";
const DEV_SHOP = "http://localhost:3000";

/** A payment that `SHOP` and `DEV_SHOP` may frame, and the URL of its page framed by `parentOrigin`. */
async function embeddable(sim: TestSimulator, parentOrigin = SHOP, overrides: Record<string, unknown> = {}) {
  const payment = (
    await sim.createPayment({ embed_origins: [SHOP, DEV_SHOP], return_url: "https://shop.example/back", ...overrides })
  ).body;
  const framedUrl = `${payment.hosted_page_url}&parent_origin=${encodeURIComponent(parentOrigin)}`;
  return { payment, framedUrl };
}

/** The message a framed page hands sdk/frame.js, and where it goes; undefined when the page posts none. */
function postedMessage(html: string): { parentOrigin: string; message: Record<string, unknown> } | undefined {
  const element =
    /<div id="psp-checkout-message" hidden data-parent-origin="([^"]*)" data-message="([^"]*)"><\/div>/.exec(html);
  if (!element) return undefined;
  const unescapeHtml = (text: string) =>
    text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  return { parentOrigin: unescapeHtml(element[1]!), message: JSON.parse(unescapeHtml(element[2]!)) };
}

/** A message as docs/architecture.md (Embeddable checkout) lists it: decline and failure null unless given. */
function message(type: string, paymentId: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    source: "psp-checkout",
    version: 1,
    type,
    payment_id: paymentId,
    decline_code: null,
    failure_message: null,
    ...fields,
  };
}

/** Submits the card form of `payment`'s page framed by `SHOP`. */
function payFramed(sim: TestSimulator, payment: { id: string; hosted_page_url: string }, cardNumber: string) {
  return postFramed(`${sim.url}/pay/${payment.id}`, {
    token: pageToken(payment),
    parent_origin: SHOP,
    card_number: cardNumber,
    exp: VALID_EXP,
    cvc: "123",
  });
}

function postFramed(url: string, fields: Record<string, string>) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("embed_origins on POST /v1/payments", () => {
  it("are kept and shown on the payment; none by default", async () => {
    const sim = await startTestSimulator();
    expect((await embeddable(sim)).payment.embed_origins).toEqual([SHOP, DEV_SHOP]);
    expect((await sim.createPayment()).body.embed_origins).toEqual([]);
  });

  it.each([
    ["not a list", "https://shop.example", "embed_origins"],
    ["too many", Array.from({ length: 11 }, (_, i) => `https://shop${i}.example`), "embed_origins"],
    ["a path", [SHOP, "https://shop.example/pay"], "embed_origins[1]"],
    ["plain http off loopback", ["http://shop.example"], "embed_origins[0]"],
    ["a CSP keyword", ["'unsafe-inline'"], "embed_origins[0]"],
    ["a space and another directive", ["https://shop.example script-src *"], "embed_origins[0]"],
    ["over-long", [`https://${"a".repeat(300)}.example`], "embed_origins[0]"],
    ["not a string", [42], "embed_origins[0]"],
  ])("refuses %s with 400 naming the param", async (_what, embedOrigins, param) => {
    const sim = await startTestSimulator();
    const res = await sim.createPayment({ embed_origins: embedOrigins });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param });
  });
});

describe("the hosted page in a frame", () => {
  it("lets exactly the payment's embed origins frame it when one of them asks, and runs only the simulator's script", async () => {
    const sim = await startTestSimulator();
    const { framedUrl } = await embeddable(sim, DEV_SHOP);
    const res = await fetch(framedUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(
      `default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors ${SHOP} ${DEV_SHOP}; base-uri 'none'`,
    );
    expect(res.headers.get("x-frame-options")).toBeNull();
    const html = await res.text();
    expect(html).toContain(`<input type="hidden" name="parent_origin" value="${DEV_SHOP}">`);
  });

  it("keeps refusing every frame on the full page, also for a payment that may be embedded", async () => {
    const sim = await startTestSimulator();
    const { payment } = await embeddable(sim);
    for (const url of [payment.hosted_page_url, (await sim.createPayment()).body.hosted_page_url]) {
      const res = await fetch(url);
      expect(res.headers.get("content-security-policy")).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("refuses a parent origin not registered for the payment (403, framing refused), and any on a payment without embed origins", async () => {
    const sim = await startTestSimulator();
    const { framedUrl } = await embeddable(sim, "https://evil.example");
    const plain = (await sim.createPayment()).body;
    for (const url of [framedUrl, `${plain.hosted_page_url}&parent_origin=${encodeURIComponent(SHOP)}`]) {
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("posts nothing from the card form; once paid, the result page posts `succeeded` to the parent origin, without card data or a link away", async () => {
    const sim = await startTestSimulator();
    const { payment, framedUrl } = await embeddable(sim);
    expect(postedMessage(await (await fetch(framedUrl)).text())).toBeUndefined();

    const res = await payFramed(sim, payment, "4242424242424242");
    expect(res.headers.get("content-security-policy")).toContain(`frame-ancestors ${SHOP} ${DEV_SHOP};`);
    const html = await res.text();
    expect(postedMessage(html)).toEqual({
      parentOrigin: SHOP,
      message: message("succeeded", payment.id, { status: "succeeded" }),
    });
    expect(html).toContain('<script src="/sdk/v1/frame.js"></script>');
    expect(html).not.toContain("4242");
    expect(html).not.toContain("Return to merchant");
  });

  it("posts `failed` with the decline, `pending` for a manual review, and `three_d_secure` then the outcome for the challenge", async () => {
    const sim = await startTestSimulator();
    const pay = async (cardNumber: string) => {
      const { payment } = await embeddable(sim);
      const res = await payFramed(sim, payment, cardNumber);
      return { payment, message: postedMessage(await res.text())?.message };
    };
    const declined = await pay("4000000000000002");
    expect(declined.message).toEqual(
      message("failed", declined.payment.id, {
        status: "failed",
        decline_code: "generic_decline",
        failure_message: "Your card was declined.",
      }),
    );

    const reviewed = await pay("4000000000004954");
    expect(reviewed.message).toEqual(message("pending", reviewed.payment.id, { status: "processing" }));

    const challenged = await pay("4000000000003220");
    expect(challenged.message).toEqual(message("three_d_secure", challenged.payment.id, { status: "processing" }));
    const answer = await postFramed(`${sim.url}/pay/${challenged.payment.id}/3ds`, {
      token: pageToken(challenged.payment),
      parent_origin: SHOP,
      outcome: "deny",
    });
    expect(postedMessage(await answer.text())?.message).toEqual(
      message("failed", challenged.payment.id, {
        status: "failed",
        decline_code: "authentication_failed",
        failure_message: "The cardholder failed 3-D Secure authentication.",
      }),
    );
  });

  it("posts `canceled` for a payment canceled before it was paid: on loading the frame, and when the card is submitted anyway (409)", async () => {
    const sim = await startTestSimulator();
    const { payment, framedUrl } = await embeddable(sim);
    await sim.post(`/v1/payments/${payment.id}/cancel`);
    const canceled = { parentOrigin: SHOP, message: message("canceled", payment.id, { status: "canceled" }) };
    expect(postedMessage(await (await fetch(framedUrl)).text())).toEqual(canceled);

    const res = await payFramed(sim, payment, "4242424242424242");
    expect(res.status).toBe(409);
    expect(postedMessage(await res.text())).toEqual(canceled);
  });

  it("with manual capture, posts `succeeded` for the authorization (status `requires_capture`), and `canceled` once it is voided", async () => {
    const sim = await startTestSimulator();
    const { payment, framedUrl } = await embeddable(sim, SHOP, { capture_method: "manual" });
    const res = await payFramed(sim, payment, "4242424242424242");
    expect(postedMessage(await res.text())?.message).toEqual(
      message("succeeded", payment.id, { status: "requires_capture" }),
    );
    await sim.post(`/v1/payments/${payment.id}/cancel`);
    expect(postedMessage(await (await fetch(framedUrl)).text())?.message).toEqual(
      message("canceled", payment.id, { status: "canceled" }),
    );
  });
});

describe("GET /sdk/v1/*", () => {
  it("serves the SDK and the frame's script as JavaScript any origin may load", async () => {
    const sim = await startTestSimulator();
    for (const name of ["checkout.js", "frame.js"]) {
      const res = await fetch(`${sim.url}/sdk/v1/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await res.text()).toContain('"use strict"');
    }
    expect((await fetch(`${sim.url}/sdk/v1/other.js`)).status).toBe(404);
  });
});
