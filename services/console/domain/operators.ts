import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** What an operator may do: `viewer` reads; `finance` also acts (adds operators, and later adjusts and replays). */
export type Role = "viewer" | "finance";
export const ROLES: readonly Role[] = ["viewer", "finance"];

export interface Operator {
  id: string;
  displayName: string;
  role: Role;
}

export interface ListedOperator extends Operator {
  /** Set once the operator is disabled. */
  disabledAt?: Date;
}

const SCRYPT_KEY_LENGTH = 64;
// Node's defaults (N = 16384, r = 8, p = 1): about 50 ms a hash here, memory 16 MiB.
const SCRYPT_OPTIONS = { N: 16_384, r: 8, p: 1 };

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, SCRYPT_KEY_LENGTH, SCRYPT_OPTIONS, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
}

/** scrypt with a fresh 16-byte salt per password. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { salt, hash: await scryptAsync(password, salt) };
}

export async function passwordMatches(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await scryptAsync(password, stored.salt);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}

/** A session or CSRF token: 32 random bytes, base64url. */
export const newToken = (): string => randomBytes(32).toString("base64url");
/** Whether `text` has the form of a newToken. */
export const isToken = (text: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(text);

/** How a session token is stored: its sha256 (the token itself has 256 bits of entropy, so no salt or slow hash is needed). */
export const tokenHash = (token: string): Buffer => createHash("sha256").update(token).digest();

const OPERATOR_ID = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Problems with a new operator's fields, for the form; empty when it may be created. */
export function operatorProblems(input: { id: string; displayName: string; role: string; password: string }): string[] {
  const problems: string[] = [];
  if (!OPERATOR_ID.test(input.id))
    problems.push("login: 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
  if (input.displayName.trim() === "" || input.displayName.length > 200)
    problems.push("display name: 1-200 characters");
  if (!(ROLES as readonly string[]).includes(input.role)) problems.push(`role: one of ${ROLES.join(", ")}`);
  if (input.password.length < 8 || input.password.length > 1024) problems.push("password: 8-1024 characters");
  return problems;
}
