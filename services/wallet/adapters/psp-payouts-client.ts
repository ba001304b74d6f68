import { unavailable } from "../../lib/errors.js";
import { formatMoney } from "../../lib/money.js";
import { defaultRetryPolicy, retry, type RetryPolicy } from "../../lib/retry.js";
import { PspPayoutRefused, type PspPayoutsPort } from "../app/ports.js";
import type { Payout } from "../domain/payout.js";
import type { PspPayout } from "../domain/psp-payout.js";

export interface PspClientConfig {
  baseUrl: string;
  apiKey: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** Worth another try with the same idempotency key: no answer, 429 or 5xx. */
class TransientPspError extends Error {}

const STATUSES: readonly PspPayout["status"][] = ["pending", "paid", "failed"];

function parsePspPayout(json: unknown): PspPayout {
  const o = (json ?? {}) as Record<string, unknown>;
  const nullableString = (key: string) => (typeof o[key] === "string" ? (o[key] as string) : null);
  const status = o.status as PspPayout["status"];
  if (typeof o.id !== "string" || !STATUSES.includes(status)) throw new Error(`the PSP answered a malformed payout: ${JSON.stringify(json)}`);
  return { id: o.id, status, failureCode: nullableString("failure_code"), failureMessage: nullableString("failure_message") };
}

/** The PSP's payout API. Each call has a timeout and is retried with backoff on transient failures, always with the same key. */
export class PspPayoutsClient implements PspPayoutsPort {
  constructor(private readonly config: PspClientConfig) {}

  create(payout: Payout): Promise<PspPayout> {
    const amount = Number(payout.amount.amountMinor);
    if (!Number.isSafeInteger(amount)) {
      return Promise.reject(new PspPayoutRefused("amount_too_large", `${formatMoney(payout.amount)} is more than the PSP's API can carry`));
    }
    const body = { amount, currency: payout.amount.currency, destination: payout.destination, reference: payout.payoutId };
    return this.call("POST", "/v1/payouts", { "idempotency-key": payout.payoutId, "content-type": "application/json" }, JSON.stringify(body));
  }

  retrieve(pspPayoutId: string): Promise<PspPayout> {
    return this.call("GET", `/v1/payouts/${encodeURIComponent(pspPayoutId)}`, {});
  }

  private async call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<PspPayout> {
    const attempt = async () => {
      const res = await fetch(new URL(path, this.config.baseUrl), {
        method,
        headers: { authorization: `Bearer ${this.config.apiKey}`, ...headers },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      }).catch((err: Error) => Promise.reject(new TransientPspError(`${method} ${path}: ${err.message}`)));
      const json: unknown = await res.json().catch(() => undefined);
      if (res.ok) return parsePspPayout(json);
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const message = `${method} ${path}: HTTP ${res.status} ${error?.message ?? res.statusText}`;
      if (res.status === 429 || res.status >= 500) throw new TransientPspError(message);
      if (res.status === 400) throw new PspPayoutRefused(error?.code ?? "invalid_request", error?.message ?? message);
      // 401, 404, 409: our configuration or our code is wrong; retrying will not help, and the payout must stay as it is.
      throw new Error(`the PSP refused ${message}`);
    };
    try {
      return await retry(attempt, (err) => err instanceof TransientPspError, this.config.retry ?? defaultRetryPolicy);
    } catch (err) {
      if (err instanceof TransientPspError) throw unavailable(`the PSP is not answering (${err.message}); retry later`);
      throw err;
    }
  }
}
