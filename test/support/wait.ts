/** JSON of a test's value, bigints (the int64 fields of the typed clients' messages) as their digits. */
export const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? String(v) : v));

/** Polls until `check` returns a value that `done` accepts, or fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(
  check: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${json(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
