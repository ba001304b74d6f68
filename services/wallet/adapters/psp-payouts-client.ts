import { formatMoney } from "../../lib/money.js";
import { callPsp, json, PspRejection, type PspHttpConfig, type PspRequest } from "../../lib/psp-http.js";
import { PspPayoutRefused, type PspPayoutsPort } from "../app/ports.js";
import type { Payout } from "../domain/payout.js";
import type { PspPayout } from "../domain/psp-payout.js";

const STATUSES: readonly PspPayout["status"][] = ["pending", "paid", "failed"];

function parsePspPayout(json: unknown): PspPayout {
  const o = (json ?? {}) as Record<string, unknown>;
  const nullableString = (key: string) => (typeof o[key] === "string" ? (o[key] as string) : null);
  const status = o.status as PspPayout["status"];
  if (typeof o.id !== "string" || !STATUSES.includes(status))
    throw new Error(`the PSP answered a malformed payout: ${JSON.stringify(json)}`);
  return {
    id: o.id,
    status,
    failureCode: nullableString("failure_code"),
    failureMessage: nullableString("failure_message"),
  };
}

/** The PSP's payout API. Each call has a timeout and is retried with backoff on transient failures, always with the same key. */
export class PspPayoutsClient implements PspPayoutsPort {
  constructor(private readonly config: PspHttpConfig) {}

  create(payout: Payout): Promise<PspPayout> {
    const amount = Number(payout.amount.amountMinor);
    if (!Number.isSafeInteger(amount)) {
      return Promise.reject(
        new PspPayoutRefused("amount_too_large", `${formatMoney(payout.amount)} is more than the PSP's API can carry`),
      );
    }
    const body = {
      amount,
      currency: payout.amount.currency,
      destination: payout.destination,
      reference: payout.payoutId,
    };
    return this.call("POST", "/v1/payouts", payout.payoutId, body);
  }

  retrieve(pspPayoutId: string): Promise<PspPayout> {
    return this.call("GET", `/v1/payouts/${encodeURIComponent(pspPayoutId)}`);
  }

  private async call(
    method: PspRequest["method"],
    path: string,
    idempotencyKey?: string,
    body?: unknown,
  ): Promise<PspPayout> {
    try {
      return await callPsp(this.config, { method, path, idempotencyKey, body }, json(parsePspPayout));
    } catch (err) {
      if (!(err instanceof PspRejection)) throw err;
      if (err.kind === "refused")
        throw new PspPayoutRefused(err.code ?? "invalid_request", err.pspMessage ?? err.message);
      // 401, 404, 409: our configuration or our code is wrong; retrying will not help, and the payout must stay as it is.
      throw new Error(`the PSP refused ${err.message}`);
    }
  }
}
