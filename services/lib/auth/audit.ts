import type { Caller } from "./caller.js";

/** One call of a mutating method, as the server saw it. */
export interface AuditEntry {
  caller: Caller;
  method: string;
  ids: Record<string, string>;
  /** "OK" or the gRPC status code's name. */
  outcome: string;
}

export type AuditSink = (entry: AuditEntry) => Promise<void>;

const MAX_ID_CHARS = 200;

/** The ids a request names: its top-level fields called `...Id` (payment_id, seller_id, exception_id, ...). */
export function requestIds(message: unknown): Record<string, string> {
  const ids: Record<string, string> = {};
  if (message === null || typeof message !== "object") return ids;
  for (const [key, value] of Object.entries(message)) {
    if (!key.endsWith("Id")) continue;
    if ((typeof value === "string" && value !== "") || typeof value === "bigint") ids[snakeCase(key)] = String(value).slice(0, MAX_ID_CHARS);
  }
  return ids;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
