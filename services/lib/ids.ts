import { randomBytes } from "node:crypto";

/** A Stripe-style id: a type prefix and 20 random base32 characters, e.g. "pay_3k9x...". */
export function newId(prefix: string): string {
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  const bytes = randomBytes(20);
  let out = "";
  for (const b of bytes) out += alphabet[b % 32];
  return `${prefix}_${out}`;
}
