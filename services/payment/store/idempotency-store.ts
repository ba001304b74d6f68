import type { Db } from "../../lib/db.js";
import type { RetainedTable } from "../../lib/retention.js";
import type { SavedResponse, SavedResponses } from "../api/create-payment-replay.js";

/** For the retention sweeper: a key goes once it has expired. */
export const EXPIRED_IDEMPOTENCY_KEYS: RetainedTable = { table: "idempotency_keys", column: "expires_at", keepMs: 0 };

/** Responses kept under their idempotency key for `ttlMs`, then purged (by the retention sweeper). */
export class IdempotencyStore implements SavedResponses {
  constructor(
    private readonly db: Db,
    readonly ttlMs: number,
  ) {}

  async recall(key: string): Promise<SavedResponse | undefined> {
    const row = await this.db("idempotency_keys")
      .where({ key })
      .first(
        "request_fingerprint",
        "payment_id",
        "response",
        "created_at",
        this.db.raw("expires_at <= now() as expired"),
      );
    return (
      row && {
        fingerprint: row.request_fingerprint,
        paymentId: row.payment_id,
        body: new Uint8Array(row.response),
        createdAt: row.created_at,
        expired: row.expired,
      }
    );
  }

  /** Saves the first response under `key`; whoever comes second gets the first one back. */
  async remember(key: string, fingerprint: string, paymentId: string, body: Uint8Array): Promise<Uint8Array> {
    const [inserted] = await this.db("idempotency_keys")
      .insert({
        key,
        request_fingerprint: fingerprint,
        payment_id: paymentId,
        response: Buffer.from(body),
        expires_at: this.db.raw("now() + make_interval(secs => ?)", [this.ttlMs / 1000]),
      })
      .onConflict("key")
      .ignore()
      .returning("key")
      // Named: each connection parses and plans it once.
      .options({ name: "idempotency_remember" });
    if (inserted) return body;
    return (await this.recall(key))?.body ?? body;
  }
}
