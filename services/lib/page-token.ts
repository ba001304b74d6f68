import { invalidArgument } from "./errors.js";

/** Opaque page tokens: base64url JSON of a keyset cursor. A token that does not decode is the caller's error. */
export function encodePageToken(cursor: Record<string, string>): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** The error for a token this service did not make, or one tampered with. */
export const badPageToken = () => invalidArgument("page_token", "is not a token returned by a previous call; start again with an empty page_token");

export function decodePageToken(token: string, keys: readonly string[]): Record<string, string> | undefined {
  if (token === "") return undefined;
  try {
    const cursor: unknown = JSON.parse(Buffer.from(token, "base64url").toString());
    if (typeof cursor === "object" && cursor !== null && keys.every((k) => typeof (cursor as Record<string, unknown>)[k] === "string")) {
      return cursor as Record<string, string>;
    }
  } catch {
    // fall through to the error below
  }
  throw badPageToken();
}

export function pageSize(requested: number, defaultSize: number, max: number): number {
  if (requested === 0) return defaultSize;
  if (requested < 0 || requested > max) throw invalidArgument("page_size", `must be between 1 and ${max} (0 means ${defaultSize})`);
  return requested;
}
