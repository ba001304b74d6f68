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
    if ((typeof value === "string" && value !== "") || typeof value === "bigint")
      ids[snakeCase(key)] = printable(String(value).slice(0, MAX_ID_CHARS));
  }
  return ids;
}

/**
 * Audited before the input bounds refuse it, an id may hold what PostgreSQL's jsonb cannot store (NUL, a lone
 * surrogate): the record must still be written, so those become U+FFFD.
 */
const UNSTORABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function printable(text: string): string {
  return text.replace(UNSTORABLE, "\ufffd");
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
