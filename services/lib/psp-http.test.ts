import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/infra/free-port.js";
import { DomainError } from "./errors.js";
import { callPsp, json, PspRejection, type PspHttpConfig } from "./psp-http.js";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A PSP that answers each request with the next of `answers` (the last one again when they run out). */
async function psp(answers: { status: number; body?: unknown }[]): Promise<{ config: PspHttpConfig; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = answers[Math.min(seen.length, answers.length) - 1]!;
      res
        .writeHead(answer.status, { "content-type": "application/json" })
        .end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  close = () => {
    server.closeAllConnections();
    server.close();
  };
  return {
    config: {
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: "sk_test_1",
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    },
    seen,
  };
}

const readId = json((body) => (body as { id: string }).id);
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected a PspRejection"),
    (err: unknown) => err as PspRejection,
  );

describe("callPsp", () => {
  it("sends our API key, the idempotency key and the JSON body", async () => {
    const { config, seen } = await psp([{ status: 200, body: { id: "po_1" } }]);
    expect(
      await callPsp(
        config,
        { method: "POST", path: "/v1/payouts", idempotencyKey: "po-1", body: { amount: 5 } },
        readId,
      ),
    ).toBe("po_1");
    expect(seen).toMatchObject([
      {
        method: "POST",
        url: "/v1/payouts",
        headers: { authorization: "Bearer sk_test_1", "idempotency-key": "po-1", "content-type": "application/json" },
        body: '{"amount":5}',
      },
    ]);
  });

  it("tries a GET and a keyed POST again on 429 and 5xx, with the same key", async () => {
    const { config, seen } = await psp([{ status: 503 }, { status: 429 }, { status: 200, body: { id: "py_1" } }]);
    expect(
      await callPsp(config, { method: "POST", path: "/v1/payments", idempotencyKey: "pay_1", body: {} }, readId),
    ).toBe("py_1");
    expect(seen.map((s) => s.headers["idempotency-key"])).toEqual(["pay_1", "pay_1", "pay_1"]);
  });

  it("sends a POST without an idempotency key once", async () => {
    const { config, seen } = await psp([{ status: 503 }]);
    await expect(callPsp(config, { method: "POST", path: "/v1/things", body: {} }, readId)).rejects.toThrow(
      /the PSP is not answering \(POST \/v1\/things: HTTP 503/,
    );
    expect(seen).toHaveLength(1);
  });

  it("is UNAVAILABLE once the attempts run out, or when nobody answers", async () => {
    const { config, seen } = await psp([{ status: 500, body: { error: { message: "boom" } } }]);
    const outage = await callPsp(config, { method: "GET", path: "/v1/payouts/po_1" }, readId).catch(
      (err: unknown) => err,
    );
    expect(outage).toBeInstanceOf(DomainError);
    expect(outage).toMatchObject({
      kind: "unavailable",
      message: expect.stringMatching(/GET \/v1\/payouts\/po_1: HTTP 500 boom\); retry later/),
    });
    expect(seen).toHaveLength(3);
    close?.();
    close = undefined;
    await expect(callPsp(config, { method: "GET", path: "/v1/payouts/po_1" }, readId)).rejects.toMatchObject({
      kind: "unavailable",
    });
  });

  it.each([
    [400, "refused"],
    [402, "refused"],
    [409, "conflict"],
    [404, "not_found"],
    [401, "unauthorized"],
    [403, "unauthorized"],
    [422, "other"],
  ] as const)("classifies HTTP %i as %s, with what the PSP said, and does not try again", async (status, kind) => {
    const { config, seen } = await psp([{ status, body: { error: { message: "no", code: "card_declined" } } }]);
    const err = await rejection(
      callPsp(config, { method: "POST", path: "/v1/payments", idempotencyKey: "k", body: {} }, readId),
    );
    expect(err).toBeInstanceOf(PspRejection);
    expect(err).toMatchObject({
      kind,
      status,
      pspMessage: "no",
      code: "card_declined",
      detail: "no",
      message: `POST /v1/payments: HTTP ${status} no`,
    });
    expect(seen).toHaveLength(1);
  });

  it("falls back on the status text when the PSP says nothing", async () => {
    const { config } = await psp([{ status: 404 }]);
    const err = await rejection(callPsp(config, { method: "GET", path: "/v1/settlements/2024-03-05" }, readId));
    expect(err).toMatchObject({ kind: "not_found", pspMessage: undefined, detail: "Not Found", body: "" });
  });
});
