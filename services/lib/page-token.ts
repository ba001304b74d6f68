import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { invalidArgument } from "./errors.js";

/**
 * Page tokens: a keyset cursor, and an HMAC-SHA256 of it and of the list it belongs to. A caller can neither forge a
 * cursor nor carry a token from one list to another, so a decoded cursor is always one this list issued; anything
 * else is the caller's mistake (INVALID_ARGUMENT), never a query that fails.
 *
 * Token: base64url(JSON array of the cursor's fields, in the order of its shape) "." base64url(HMAC).
 */

const MIN_SECRET_LENGTH = 32;
/** Ours are a few hundred characters; a longer one is refused unread. */
const MAX_TOKEN_LENGTH = 2048;
const MAX_INT64 = 2n ** 63n - 1n;

/** The key tokens are signed with: PAGE_TOKEN_SECRET, the same for every instance of a service. */
export interface PageTokenKey {
  readonly key: Buffer;
}

export function pageTokenKey(secret: string): PageTokenKey {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new Error(`the page token secret (PAGE_TOKEN_SECRET) must be at least ${MIN_SECRET_LENGTH} characters`);
  return { key: Buffer.from(secret) };
}

/** A fresh secret, for a platform brought up on one machine (npm start, tests); production sets PAGE_TOKEN_SECRET. */
export const randomPageTokenSecret = () => randomBytes(32).toString("base64url");

/** Each field of a cursor: text, a non-negative integer up to int64 (bigint), or a non-negative safe integer (number). */
export type CursorShape = Record<string, "string" | "bigint" | "number">;
export type CursorOf<S extends CursorShape> = {
  [K in keyof S]: S[K] extends "bigint" ? bigint : S[K] extends "number" ? number : string;
};

export interface PageTokens<C> {
  encode(cursor: C): string;
  /** The cursor of a token this list issued; undefined for "" (the first page). */
  decode(token: string): C | undefined;
}

const badPageToken = () => invalidArgument("page_token", "is not one this list issued; start again without it");

function fieldOf(kind: CursorShape[string], value: unknown): string | bigint | number {
  if (typeof value !== "string") throw badPageToken();
  if (kind === "string") return value;
  if (!/^\d{1,19}$/.test(value)) throw badPageToken();
  const n = BigInt(value);
  if (kind === "bigint" && n <= MAX_INT64) return n;
  if (kind === "number" && n <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(n);
  throw badPageToken();
}

/** The page tokens of one list, named as its RPC is (e.g. "ledger.v1.LedgerService/ListEntries"). */
export function pageTokens<S extends CursorShape>(key: PageTokenKey, list: string, shape: S): PageTokens<CursorOf<S>> {
  const fields = Object.keys(shape);
  const mac = (payload: Buffer) => createHmac("sha256", key.key).update(list).update("\n").update(payload).digest();
  return {
    encode(cursor) {
      const payload = Buffer.from(JSON.stringify(fields.map((f) => String(cursor[f]))));
      return `${payload.toString("base64url")}.${mac(payload).toString("base64url")}`;
    },
    decode(token) {
      if (token === "") return undefined;
      const parts = token.length > MAX_TOKEN_LENGTH ? [] : token.split(".");
      if (parts.length !== 2) throw badPageToken();
      const payload = Buffer.from(parts[0]!, "base64url");
      const given = Buffer.from(parts[1]!, "base64url");
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badPageToken();
      // Signed by us, but perhaps by a release whose cursor had other fields.
      let values: unknown;
      try {
        values = JSON.parse(payload.toString());
      } catch {
        throw badPageToken();
      }
      if (!Array.isArray(values) || values.length !== fields.length) throw badPageToken();
      return Object.fromEntries(fields.map((f, i) => [f, fieldOf(shape[f]!, values[i])])) as CursorOf<S>;
    },
  };
}

export function pageSize(requested: number, defaultSize: number, max: number): number {
  if (requested === 0) return defaultSize;
  if (requested < 0 || requested > max)
    throw invalidArgument("page_size", `must be between 1 and ${max} (0 means ${defaultSize})`);
  return requested;
}
