import { describe, expect, it } from "vitest";
import { formatAmount } from "./hosted-page.js";
import {
  getPage,
  pageToken,
  postForm,
  startReceiver,
  startTestSimulator,
  submitCard,
  waitFor,
} from "./test-support.js";

describe("GET /pay/:id", () => {
  it("renders a card form posting to /pay/:id with the token hidden", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment({ amount: 1999, currency: "usd" })).body;
    const page = await getPage(payment.hosted_page_url);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<form method="post" action="/pay/${payment.id}">`);
    for (const name of ["card_number", "exp", "cvc", "name"]) expect(page.html).toContain(`name="${name}"`);
    expect(page.html).toContain(`<input type="hidden" name="token" value="${pageToken(payment)}">`);
    expect(page.html).toContain("USD 19.99");
  });

  it("may not be framed by another site: the card form is clickjacking bait (Content-Security-Policy)", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    const res = await fetch(payment.hosted_page_url);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
  });

  it("requires the right token and answers 404 for an unknown payment", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    expect((await getPage(`${sim.url}/pay/${payment.id}`)).status).toBe(403);
    expect((await getPage(`${sim.url}/pay/${payment.id}?token=guess`)).status).toBe(403);
    expect((await getPage(`${sim.url}/pay/pi_unknown?token=${pageToken(payment)}`)).status).toBe(404);
    const post = await postForm(`${sim.url}/pay/${payment.id}`, {
      token: "guess",
      card_number: "4242424242424242",
      exp: "12/40",
      cvc: "123",
    });
    expect(post.status).toBe(403);
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.status).toBe("requires_payment_method");
  });

  it("shows the result instead of a form once the payment is final, with a link back", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment({ return_url: "https://shop.example/done?o=1&x=2" })).body;
    await submitCard(sim, payment, { card_number: "4242424242424242" });
    const page = await getPage(payment.hosted_page_url);
    expect(page.status).toBe(200);
    expect(page.dataStatus).toBe("succeeded");
    expect(page.html).not.toContain('name="card_number"');
    expect(page.html).toContain('href="https://shop.example/done?o=1&#38;x=2"');
  });
});

describe("POST /pay/:id with test cards", () => {
  it.each([
    ["4242424242424242", "succeeded", undefined],
    ["4000000000000002", "failed", "generic_decline"],
    ["4000000000009995", "failed", "insufficient_funds"],
    ["4000000000000069", "failed", "expired_card"],
    ["4000000000000127", "failed", "incorrect_cvc"],
    ["5555555555554444", "succeeded", undefined],
    ["4000 0566 5566 5556", "succeeded", undefined],
  ])("%s -> %s %s", async (cardNumber, status, declineCode) => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    const page = await submitCard(sim, payment, { card_number: cardNumber });
    expect(page.status).toBe(200);
    expect(page.dataStatus).toBe(status);
    expect(page.declineCode).toBe(declineCode);

    const after = (await sim.request("GET", `/v1/payments/${payment.id}`)).body;
    expect(after.status).toBe(status);
    expect(after.decline_code).toBe(declineCode ?? null);
    expect(after.failure_message === null).toBe(declineCode === undefined);
    const digits = cardNumber.replace(/ /g, "");
    expect(after.card).toEqual({ brand: digits.startsWith("4") ? "visa" : "mastercard", last4: digits.slice(-4) });
  });

  it.each([
    ["4242424242424241", "12/40", "123", /card number is invalid/],
    ["4242", "12/40", "123", /card number is invalid/],
    ["4242424242424242", "01/20", "123", /in the past/],
    ["4242424242424242", "13/40", "123", /expiration date is invalid/],
    ["4242424242424242", "1240", "123", /expiration date is invalid/],
    ["4242424242424242", "12/40", "12", /security code is invalid/],
    ["4242424242424242", "12/40", "12345", /security code is invalid/],
  ])(
    "rejects %s exp %s cvc %s with 400, re-rendering the form and leaving the payment unchanged",
    async (number, exp, cvc, error) => {
      const receiver = await startReceiver();
      const sim = await startTestSimulator({ webhookUrl: receiver.url });
      const payment = (await sim.createPayment()).body;
      const page = await submitCard(sim, payment, { card_number: number, exp, cvc, name: "Ada <Lovelace>" });
      expect(page.status).toBe(400);
      expect(page.html).toMatch(error);
      expect(page.html).toContain(`action="/pay/${payment.id}"`);
      expect(page.html).toContain('value="Ada &#60;Lovelace&#62;"');
      expect(page.html).not.toContain(number);
      expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body).toEqual(payment);
      expect(await sim.deliveries(payment.id)).toEqual([]);
    },
  );

  it("answers a double submit with 409 and emits no second event", async () => {
    const receiver = await startReceiver();
    const sim = await startTestSimulator({ webhookUrl: receiver.url });
    const payment = (await sim.createPayment()).body;
    expect((await submitCard(sim, payment, { card_number: "4242424242424242" })).status).toBe(200);
    const second = await submitCard(sim, payment, { card_number: "4000000000000002" });
    expect(second.status).toBe(409);
    expect(second.dataStatus).toBe("succeeded");

    const after = (await sim.request("GET", `/v1/payments/${payment.id}`)).body;
    expect(after).toMatchObject({ status: "succeeded", card: { last4: "4242" } });
    await waitFor(() => receiver.received.length === 1, "webhook");
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual(["payment.succeeded"]);
    expect(receiver.events().map((e) => e.type)).toEqual(["payment.succeeded"]);
  });

  it("never lets the card number reach API responses, webhooks or pages", async () => {
    const receiver = await startReceiver();
    const sim = await startTestSimulator({ webhookUrl: receiver.url });
    const payment = (await sim.createPayment()).body;
    const number = "4000000000003220";
    const challenge = await submitCard(sim, payment, { card_number: number });
    await postForm(`${sim.url}/pay/${payment.id}/3ds`, { token: pageToken(payment), outcome: "approve" });
    await waitFor(() => receiver.received.length === 2, "two webhooks");

    const texts = [
      challenge.html,
      (await getPage(payment.hosted_page_url)).html,
      (await sim.request("GET", `/v1/payments/${payment.id}`)).text,
      (await sim.request("GET", `/v1/payments?reference=${payment.reference}`)).text,
      ...receiver.received.map((r) => r.body),
    ];
    for (const text of texts) expect(text).not.toContain(number);
  });
});

describe("3-D Secure", () => {
  it.each([
    ["approve", "succeeded", undefined],
    ["deny", "failed", "authentication_failed"],
  ])("%s -> %s", async (outcome, status, declineCode) => {
    const receiver = await startReceiver();
    const sim = await startTestSimulator({ webhookUrl: receiver.url });
    const payment = (await sim.createPayment()).body;

    const challenge = await submitCard(sim, payment, { card_number: "4000000000003220" });
    expect(challenge.status).toBe(200);
    expect(challenge.html).toContain(`action="/pay/${payment.id}/3ds"`);
    expect(challenge.html).toMatch(/name="outcome" value="approve"/);
    expect(challenge.html).toMatch(/name="outcome" value="deny"/);
    const pending = (await sim.request("GET", `/v1/payments/${payment.id}`)).body;
    expect(pending).toMatchObject({ status: "processing", pending_reason: "three_d_secure" });
    // Reloading the hosted page shows the challenge again.
    expect((await getPage(payment.hosted_page_url)).html).toContain(`action="/pay/${payment.id}/3ds"`);
    // Resubmitting the card while the challenge is open does not charge again.
    expect((await submitCard(sim, payment, { card_number: "4242424242424242" })).status).toBe(409);

    const result = await postForm(`${sim.url}/pay/${payment.id}/3ds`, { token: pageToken(payment), outcome });
    expect(result.status).toBe(200);
    expect(result.dataStatus).toBe(status);
    expect(result.declineCode).toBe(declineCode);
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body).toMatchObject({
      status,
      pending_reason: null,
      decline_code: declineCode ?? null,
    });

    const again = await postForm(`${sim.url}/pay/${payment.id}/3ds`, { token: pageToken(payment), outcome: "approve" });
    expect(again.status).toBe(409);
    await waitFor(() => receiver.received.length === 2, "two webhooks");
    expect(
      receiver
        .events()
        .map((e) => e.type)
        .sort(),
    ).toEqual(["payment.processing", `payment.${status}`].sort());
  });

  it("rejects a challenge answer without a valid outcome or token", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    await submitCard(sim, payment, { card_number: "4000000000003220" });
    expect(
      (await postForm(`${sim.url}/pay/${payment.id}/3ds`, { token: pageToken(payment), outcome: "maybe" })).status,
    ).toBe(400);
    expect((await postForm(`${sim.url}/pay/${payment.id}/3ds`, { token: "guess", outcome: "approve" })).status).toBe(
      403,
    );
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.status).toBe("processing");
  });
});

describe("manual review", () => {
  it.each([
    ["approve", "succeeded", null],
    ["reject", "failed", "fraudulent"],
  ])("the review helper can %s", async (outcome, status, declineCode) => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    const page = await submitCard(sim, payment, { card_number: "4000000000004954" });
    expect(page.status).toBe(200);
    expect(page.dataStatus).toBe("processing");
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body).toMatchObject({
      status: "processing",
      pending_reason: "manual_review",
    });

    const reviewed = await sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, { body: { outcome } });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body).toMatchObject({ status, decline_code: declineCode, pending_reason: null });
    expect((await getPage(payment.hosted_page_url)).dataStatus).toBe(status);

    const twice = await sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, {
      body: { outcome: "approve" },
    });
    expect(twice.status).toBe(409);
  });

  it("is approved automatically after reviewDelayMs", async () => {
    const sim = await startTestSimulator({ reviewDelayMs: 20 });
    const payment = (await sim.createPayment()).body;
    await submitCard(sim, payment, { card_number: "4000000000004954" });
    await waitFor(
      async () => (await sim.request("GET", `/v1/payments/${payment.id}`)).body.status === "succeeded",
      "auto approval",
    );
  });

  it("a review the helper resolved first is not changed when reviewDelayMs passes", async () => {
    const sim = await startTestSimulator({ reviewDelayMs: 30 });
    const payment = (await sim.createPayment()).body;
    await submitCard(sim, payment, { card_number: "4000000000004954" });
    await sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, { body: { outcome: "reject" } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.status).toBe("failed");
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual(["payment.processing", "payment.failed"]);
  });
});

describe("formatAmount", () => {
  it.each([
    [1999, "USD", "USD 19.99"],
    [5, "EUR", "EUR 0.05"],
    [500, "JPY", "JPY 500"],
    [1234, "BHD", "BHD 1.234"],
    [Number.MAX_SAFE_INTEGER, "USD", "USD 90071992547409.91"],
  ])("%i %s -> %s", (amount, currency, expected) => expect(formatAmount(amount, currency)).toBe(expected));
});
