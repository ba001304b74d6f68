/** Reads configuration from the environment; a missing or malformed value fails at start-up, not later. */
export function envString(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== "") return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`environment variable ${name} is required`);
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}
