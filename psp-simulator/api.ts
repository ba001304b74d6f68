import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "./errors.js";
import { BodyTooLargeError, readBody, send, sendJson, TextBody } from "./http.js";
import { requestFingerprint, type IdempotencyStore } from "./idempotency.js";
import { routes, type ApiRequest, type Route, type RouteContext } from "./routes.js";
import { secretsEqual } from "./tokens.js";
import { parseJsonBody } from "./validation.js";

export interface ApiContext extends RouteContext {
  apiKey: string;
  idempotency: IdempotencyStore;
  /** Aborted when the simulator closes; cancels injected latency. */
  closing: AbortSignal;
}

interface Reply {
  status: number;
  body: string;
  /** JSON when absent. */
  contentType?: string;
  headers?: OutgoingHttpHeaders;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const TEST_HELPERS = "/v1/test_helpers/";

function errorReply(error: unknown): Reply {
  if (error instanceof ApiError) return { status: error.status, body: JSON.stringify(error) };
  if (error instanceof BodyTooLargeError) {
    return errorReply(new ApiError(413, "invalid_request_error", error.message, "body_too_large"));
  }
  console.error("psp-simulator: unexpected error", error);
  return errorReply(new ApiError(500, "api_error", "An unexpected error occurred."));
}

function simulatedFault(): ApiError {
  return new ApiError(500, "api_error", "An error occurred while processing your request (simulated fault).");
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Successes and validation errors are saved for replay; conflicts and server errors are not, so a retry runs again. */
function isReplayable(status: number): boolean {
  return isSuccess(status) || status === 400;
}

function authenticate(req: IncomingMessage, apiKey: string): void {
  const header = req.headers.authorization;
  if (header === undefined) {
    throw new ApiError(
      401,
      "authentication_error",
      "You did not provide an API key. Use 'Authorization: Bearer <api key>'.",
    );
  }
  const presented = /^Bearer (.+)$/i.exec(header)?.[1];
  if (presented === undefined || !secretsEqual(presented, apiKey)) {
    throw new ApiError(401, "authentication_error", "Invalid API key provided.");
  }
}

function idempotencyKey(req: IncomingMessage): string | undefined {
  const key = req.headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (typeof key !== "string" || key === "" || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ApiError(
      400,
      "invalid_request_error",
      `Invalid Idempotency-Key: must be a single non-empty value of at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
      "idempotency_key_invalid",
    );
  }
  return key;
}

export function createApiHandler(ctx: ApiContext) {
  const table = routes(ctx);

  function execute(route: Route, request: ApiRequest): Reply {
    try {
      const { status, body } = route.handle(request);
      if (body instanceof TextBody) return { status, body: body.text, contentType: body.contentType };
      return { status, body: JSON.stringify(body) };
    } catch (error) {
      return errorReply(error);
    }
  }

  function post(route: Route, request: ApiRequest, req: IncomingMessage, url: URL): Reply {
    if (route.faulty && ctx.faults.failBeforeCommit()) throw simulatedFault();
    const key = idempotencyKey(req);
    const fingerprint = requestFingerprint("POST", url.pathname + url.search, request.body);
    if (key !== undefined) {
      const found = ctx.idempotency.lookup(ctx.apiKey, key, fingerprint);
      if (found.kind === "replay") return { ...found.response, headers: { "idempotent-replayed": "true" } };
      if (found.kind === "mismatch") {
        throw new ApiError(
          409,
          "idempotency_error",
          `Keys for idempotent requests can only be used with the same parameters they were first used with. ` +
            `Idempotency-Key '${key}' was already used with different parameters (method, path or body).`,
          "idempotency_key_reused",
        );
      }
    }
    // Lookup, execution and save run without an await in between, so two concurrent requests
    // with the same key cannot both execute.
    const reply = execute(route, request);
    if (key !== undefined && isReplayable(reply.status)) ctx.idempotency.save(ctx.apiKey, key, fingerprint, reply);
    // The work is committed (and saved for the key) but the client sees a failure, as after a lost response.
    if (route.faulty && isSuccess(reply.status) && ctx.faults.failAfterCommit()) throw simulatedFault();
    return reply;
  }

  async function dispatch(req: IncomingMessage, url: URL): Promise<Reply> {
    authenticate(req, ctx.apiKey);
    for (const route of table) {
      const match = route.path.exec(url.pathname);
      if (!match || route.method !== req.method) continue;
      const params = match.slice(1);
      if (route.method === "GET") return execute(route, { params, query: url.searchParams, body: {} });
      const body = parseJsonBody(await readBody(req));
      return post(route, { params, query: url.searchParams, body }, req, url);
    }
    throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    // The test helpers are spared so that tests can always reach them.
    const faulty = !url.pathname.startsWith(TEST_HELPERS);
    let reply: Reply;
    try {
      if (faulty && ctx.faults.failRequest()) throw simulatedFault();
      reply = await dispatch(req, url);
    } catch (error) {
      reply = errorReply(error);
    }
    // Only the answer is late, as over a slow network: a client that gives up waiting still had its request carried out.
    const latency = faulty ? ctx.faults.latencyMs() : 0;
    if (latency > 0) await sleep(latency, undefined, { signal: ctx.closing }).catch(() => undefined);
    if (reply.contentType === undefined) sendJson(res, reply.status, reply.body, reply.headers);
    else send(res, reply.status, reply.contentType, reply.body, reply.headers);
  };
}
