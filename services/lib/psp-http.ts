import { unavailable } from "./errors.js";
import { defaultRetryPolicy, retry, type RetryPolicy } from "./retry.js";

/** Where the PSP's REST API is and how patiently to call it. */
export interface PspHttpConfig {
  baseUrl: string;
  apiKey: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface PspRequest {
  method: "GET" | "POST";
  path: string;
  /** Makes a POST safe to send again: the PSP answers a repeat with the first answer. */
  idempotencyKey?: string;
  /** Sent as JSON. */
  body?: unknown;
}

/**
 * How a PSP answer that is neither a success nor transient is to be read: the PSP declined what we asked (400, 402),
 * it conflicts with what the PSP holds (409), it is not there (404), our credentials are wrong (401, 403), or anything
 * else (our code or configuration is wrong).
 */
export type PspRejectionKind = "refused" | "conflict" | "not_found" | "unauthorized" | "other";

function rejectionKind(status: number): PspRejectionKind {
  if (status === 400 || status === 402) return "refused";
  if (status === 409) return "conflict";
  if (status === 404) return "not_found";
  if (status === 401 || status === 403) return "unauthorized";
  return "other";
}

/** The PSP answered, and retrying will not change its answer. */
export class PspRejection extends Error {
  readonly kind: PspRejectionKind;

  constructor(
    readonly request: Pick<PspRequest, "method" | "path">,
    readonly status: number,
    /** The PSP's `error.message`, when it gave one. */
    readonly pspMessage: string | undefined,
    readonly statusText: string,
    /** The PSP's `error.code`, when it gave one. */
    readonly code: string | undefined,
    /** The answer's body as it came. */
    readonly body: string,
  ) {
    super(`${request.method} ${request.path}: HTTP ${status} ${pspMessage ?? statusText}`);
    this.kind = rejectionKind(status);
  }

  /** What the PSP said, else the HTTP status text. */
  get detail(): string {
    return this.pspMessage ?? this.statusText;
  }
}

/** No answer, 429 or 5xx: worth another try with the same idempotency key. */
class TransientPspError extends Error {}

function pspError(body: string): { message?: string; code?: string | null } | undefined {
  try {
    return (JSON.parse(body) as { error?: { message?: string; code?: string | null } } | undefined)?.error;
  } catch {
    return undefined;
  }
}

async function attempt<T>(
  config: PspHttpConfig,
  request: PspRequest,
  read: (res: Response) => Promise<T>,
  defaultTimeoutMs: number,
): Promise<T> {
  const { method, path, idempotencyKey, body } = request;
  let res: Response;
  try {
    res = await fetch(new URL(path, config.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        ...(body !== undefined && { "content-type": "application/json" }),
        ...(idempotencyKey && { "idempotency-key": idempotencyKey }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(config.timeoutMs ?? defaultTimeoutMs),
    });
  } catch (err) {
    throw new TransientPspError(`${method} ${path}: ${(err as Error).message}`);
  }
  if (res.ok) return read(res);
  const text = await res.text().catch(() => "");
  const error = pspError(text);
  if (res.status === 429 || res.status >= 500)
    throw new TransientPspError(`${method} ${path}: HTTP ${res.status} ${error?.message ?? res.statusText}`);
  throw new PspRejection(request, res.status, error?.message, res.statusText, error?.code ?? undefined, text);
}

/**
 * One call of the PSP's REST API, with our API key and a timeout (`defaultTimeoutMs` unless configured). A GET, or a
 * POST with an idempotency key, is retried with backoff while the PSP does not answer or answers 429/5xx; then it is
 * UNAVAILABLE. A success is read by `read`; any other answer is a PspRejection for the caller to map.
 */
export async function callPsp<T>(
  config: PspHttpConfig,
  request: PspRequest,
  read: (res: Response) => Promise<T>,
  defaultTimeoutMs = 10_000,
): Promise<T> {
  const retried = request.method === "GET" || request.idempotencyKey !== undefined;
  try {
    return await retry(
      () => attempt(config, request, read, defaultTimeoutMs),
      (err) => err instanceof TransientPspError,
      retried ? (config.retry ?? defaultRetryPolicy) : { ...defaultRetryPolicy, attempts: 1 },
    );
  } catch (err) {
    if (err instanceof TransientPspError) throw unavailable(`the PSP is not answering (${err.message}); retry later`);
    throw err;
  }
}

/** A success answered as JSON, read by `parse`. */
export const json =
  <T>(parse: (json: unknown) => T) =>
  async (res: Response): Promise<T> =>
    parse(await res.json().catch(() => undefined));
