import { createHash } from "node:crypto";

export interface StoredResponse {
  status: number;
  body: string;
}

export type IdempotencyLookup = { kind: "new" } | { kind: "replay"; response: StoredResponse } | { kind: "mismatch" };

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest("hex");
}

/** Remembers the response to each (API key, Idempotency-Key) pair. Keys never expire. */
export class IdempotencyStore {
  private readonly entries = new Map<string, { fingerprint: string; response: StoredResponse }>();

  lookup(scope: string, key: string, fingerprint: string): IdempotencyLookup {
    const entry = this.entries.get(this.entryKey(scope, key));
    if (!entry) return { kind: "new" };
    return entry.fingerprint === fingerprint ? { kind: "replay", response: entry.response } : { kind: "mismatch" };
  }

  save(scope: string, key: string, fingerprint: string, response: StoredResponse): void {
    this.entries.set(this.entryKey(scope, key), { fingerprint, response });
  }

  private entryKey(scope: string, key: string): string {
    return JSON.stringify([scope, key]);
  }
}
