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
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
