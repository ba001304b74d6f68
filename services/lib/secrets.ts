/**
 * Secrets read at start-up. Outside development (PLATFORM_ENV=development) a service refuses to start with a secret
 * that is missing, too short, or one of the fixed values this repository has used for local runs and tests.
 */

/** API keys, webhook signing secrets, database passwords. */
export const KEY_MIN_LENGTH = 32;
/** A person types it (the console's `admin`). */
export const PASSWORD_MIN_LENGTH = 12;

/** Every fixed secret the repository's local runs, tests and documentation use: never valid in production. */
export const DEVELOPMENT_SECRETS: ReadonlySet<string> = new Set([
  // npm start, before it generated them
  "sk_test_local_platform",
  "whsec_local_platform",
  "operator",
  // test/support/platform.ts
  "sk_test_platform",
  "whsec_platform_test",
  "operator-test-password",
  // psp-simulator/test-support.ts, its README, the webhook signature tests
  "sk_test_simulator",
  "whsec_test_secret",
  "sk_test_123",
  "whsec_123",
  "whsec_test",
  // the embedded PostgreSQL's superuser
  "postgres",
]);

export function isDevelopment(): boolean {
  return process.env.PLATFORM_ENV === "development";
}

const WHAT_TO_DO =
  "set it to a random value (e.g. `openssl rand -hex 32`), or run with PLATFORM_ENV=development for local development";

/** `value` as the secret `name`, or an error naming the variable and what to do. */
export function requireSecret(name: string, value: string | undefined, { minLength }: { minLength: number }): string {
  if (value === undefined || value === "") throw new Error(`${name} is required: ${WHAT_TO_DO}`);
  if (isDevelopment()) return value;
  if (DEVELOPMENT_SECRETS.has(value))
    throw new Error(`${name} is a known development value, refused outside development: ${WHAT_TO_DO}`);
  if (value.length < minLength)
    throw new Error(
      `${name} is ${value.length} characters long, shorter than the ${minLength} required: ${WHAT_TO_DO}`,
    );
  return value;
}

/** The secret in environment variable `name` (required). */
export function envSecret(name: string, minLength = KEY_MIN_LENGTH): string {
  return requireSecret(name, process.env[name], { minLength });
}

/** The secret in environment variable `name`, checked as envSecret when it is set. */
export function optionalEnvSecret(name: string, minLength = KEY_MIN_LENGTH): string | undefined {
  return process.env[name] ? envSecret(name, minLength) : undefined;
}
