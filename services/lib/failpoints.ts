/**
 * Crash points for the fault suite: the process kills itself with SIGKILL, exactly as `kill -9` would, at a
 * chosen line. FAILPOINTS="name" arms a point for its first hit, "name@3" for its third; several are separated by
 * commas. Unset (production), every call is a Set lookup that finds nothing.
 */
export const FAILPOINTS = [
  /** The PSP created the payment, and we have not recorded it yet. */
  "payment.after-psp-register",
  /** CreatePayment wrote everything and has not answered yet. */
  "payment.before-create-response",
  /** A verified webhook is about to be applied. */
  "payment.webhook-before-apply",
  /** A webhook was applied and the PSP has not had its 200 yet. */
  "payment.webhook-after-apply",
  /** The outbox relay published an event and has not marked it published yet. */
  "payment.relay-after-publish",
] as const;

export type FailpointName = (typeof FAILPOINTS)[number];

export function parseFailpoints(spec: string): Map<FailpointName, number> {
  const armed = new Map<FailpointName, number>();
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, nth = "1"] = entry.split("@");
    if (!FAILPOINTS.includes(name as FailpointName))
      throw new Error(`FAILPOINTS: unknown point "${name}" (known: ${FAILPOINTS.join(", ")})`);
    const hit = Number(nth);
    if (!Number.isSafeInteger(hit) || hit < 1)
      throw new Error(`FAILPOINTS: "${entry}" must be name or name@N with N >= 1`);
    armed.set(name as FailpointName, hit);
  }
  return armed;
}

const armed = parseFailpoints(process.env.FAILPOINTS ?? "");
const hits = new Map<FailpointName, number>();

export function failpoint(name: FailpointName): void {
  const at = armed.get(name);
  if (at === undefined) return;
  const hit = (hits.get(name) ?? 0) + 1;
  hits.set(name, hit);
  if (hit !== at) return;
  // Written synchronously (stderr is a pipe or file here), so the parent sees which point fired.
  process.stderr.write(`FAILPOINT ${name} hit ${hit}: SIGKILL ${process.pid}\n`);
  process.kill(process.pid, "SIGKILL");
}
