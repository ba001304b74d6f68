/**
 * The merchant pages allowed to frame a payment's embedded checkout: the payment service checks them on
 * CreatePayment, the PSP simulator on its payment registration, and each becomes a CSP frame-ancestors source.
 */
export const MAX_EMBED_ORIGINS = 10;
export const MAX_EMBED_ORIGIN_LENGTH = 255;

// Lower case only, with no path: exactly what URL.origin writes, and nothing a CSP source list could misread.
const ORIGIN = /^(https?):\/\/([a-z0-9.-]+)(:[0-9]{1,5})?$/;
// Plain http only where nobody else can listen in: the loopback names a developer's shop runs on.
const LOOPBACK_HOST = /^(localhost|[a-z0-9-]+\.localhost|127\.0\.0\.1)$/;

export interface EmbedOriginsProblem {
  /** The list element at fault, or null for the list as a whole. */
  index: number | null;
  message: string;
}

function originProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  if (value.length > MAX_EMBED_ORIGIN_LENGTH)
    return `must be at most ${MAX_EMBED_ORIGIN_LENGTH} characters, got ${value.length}`;
  const match = ORIGIN.exec(value);
  if (!match || !URL.canParse(value) || new URL(value).origin !== value) {
    return `"${value}" is not an origin: write scheme://host[:port] in lower case, with no path (not even "/"), no default port`;
  }
  if (match[1] === "http" && !LOOPBACK_HOST.test(match[2]!))
    return `"${value}" must use https (http only for localhost and 127.0.0.1)`;
  return undefined;
}

/** What is wrong with a list of embed origins, or undefined when every one is a distinct, well-formed origin. */
export function embedOriginsProblem(values: readonly unknown[]): EmbedOriginsProblem | undefined {
  if (values.length > MAX_EMBED_ORIGINS)
    return { index: null, message: `must list at most ${MAX_EMBED_ORIGINS} origins, got ${values.length}` };
  for (const [index, value] of values.entries()) {
    const message =
      originProblem(value) ?? (values.indexOf(value) < index ? `"${String(value)}" appears more than once` : undefined);
    if (message !== undefined) return { index, message };
  }
  return undefined;
}
