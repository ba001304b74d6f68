/** Reads configuration from the environment; a missing or malformed value fails at start-up, not later. */
export function envString(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== "") return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`environment variable ${name} is required`);
}

/** A comma-separated list (blanks around items dropped), or undefined when the variable is unset or empty. */
export function envList(name: string): string[] | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const items = raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) throw new Error(`environment variable ${name} must list at least one item, got "${raw}"`);
  return items;
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}
