import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("hex")}`;
}

/** Unguessable URL-safe secret, e.g. the hosted page token. */
export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/** Constant-time comparison; hashing first makes the lengths equal and hides the secret's length. */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
