import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerHealthCheck, HEALTH_PATH, type HealthProbe } from "../../lib/health.js";
import type { Logger } from "../../lib/log.js";
import { isTransientStoreError } from "../../lib/store-errors.js";
import {
  runAgainWhileStoreAway,
  STORE_OUTAGE_RETRY_AFTER_SECONDS,
  type StoreOutageRetry,
} from "../../lib/store-outage-retry.js";
import { clientKey } from "../domain/login-throttle.js";
import type { Operator, Role } from "../domain/operators.js";
import type { NewAuditEntry } from "../domain/audit-log.js";
import type { ConsoleStore } from "../store/console-store.js";
import { notice, page, type SafeHtml } from "../views/html.js";

export const SESSION_COOKIE = "console_session";
export const LOGIN_CSRF_COOKIE = "console_login_csrf";
const MAX_FORM_BYTES = 64 * 1024;

export interface Reply {
  status: number;
  body?: string;
  /** text/html unless said; with `filename`, the browser saves the body as that file. */
  contentType?: string;
  filename?: string;
  location?: string;
  cookies?: string[];
  retryAfterSeconds?: number;
}

export interface RequestContext {
  url: URL;
  params: string[];
  /** The form fields of a POST (application/x-www-form-urlencoded). */
  form: URLSearchParams;
  cookies: Map<string, string>;
  /** Who sent the request, for throttling: see clientKey. */
  client: string;
  /** Set on every route but the public ones. */
  operator: Operator;
  /** The token this operator's forms carry. */
  csrf: string;
  /** Run again while the console's database is away: what was done must not go unrecorded (it may be twice). */
  audit(entry: Omit<NewAuditEntry, "operatorId">): Promise<void>;
  /** A page in the console's frame, for this operator. */
  page(title: string, body: SafeHtml, status?: number): Reply;
}

export interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  /** Reachable without a session (the login page). */
  public?: boolean;
  /** The role needed; any logged-in operator when absent. */
  role?: Role;
  handle(ctx: RequestContext): Promise<Reply>;
}

export const redirect = (location: string, cookies?: string[]): Reply => ({ status: 303, location, cookies });

export function cookie(name: string, value: string, maxAgeSeconds?: number): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict"];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  return parts.join("; ");
}

/** The CSRF token of a session: an HMAC of the session token, so it needs no storage and dies with the session. */
export const sessionCsrf = (sessionToken: string): string =>
  createHmac("sha256", sessionToken).update("console csrf").digest("base64url");

export function sameToken(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

class FormTooLargeError extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (req.method !== "POST") return new URLSearchParams();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormTooLargeError();
    chunks.push(chunk);
  }
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
  return type === "application/x-www-form-urlencoded"
    ? new URLSearchParams(Buffer.concat(chunks).toString("utf8"))
    : new URLSearchParams();
}

const SECURITY_HEADERS: Record<string, string> = {
  // Inline style only; no script, no frame, no other origin.
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | string[]> = { ...SECURITY_HEADERS };
  if (reply.location) headers.location = reply.location;
  if (reply.cookies?.length) headers["set-cookie"] = reply.cookies;
  if (reply.retryAfterSeconds !== undefined) headers["retry-after"] = String(reply.retryAfterSeconds);
  if (reply.body !== undefined) headers["content-type"] = reply.contentType ?? "text/html; charset=utf-8";
  if (reply.filename !== undefined)
    headers["content-disposition"] = `attachment; filename="${reply.filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

const errorPage = (
  status: number,
  title: string,
  text: string,
  chrome: { operator?: Operator; csrf?: string } = {},
): Reply => ({
  status,
  body: page(title, notice("error", text), chrome),
});

const storeUnavailable: Reply = {
  ...errorPage(
    503,
    "Database unavailable",
    "The console's database is unavailable (failing over?): try again in a few seconds. If you sent a form, look " +
      "whether it was done before sending it again; a refund, adjustment or payout sent again from the same form " +
      "is not done twice.",
  ),
  retryAfterSeconds: STORE_OUTAGE_RETRY_AFTER_SECONDS,
};

type WhileStoreAway = <T>(work: () => Promise<T>) => Promise<T>;

export interface ConsoleHandlerOptions {
  /** GET /healthz: 200 while it says serving (the console's database answers), else 503. */
  health: HealthProbe;
  /** How long what is safe to run again runs again while the console's database is away. */
  storeOutageRetry: StoreOutageRetry;
}

/**
 * The console's request handler: finds the route, requires a session on all but public routes (else a redirect to
 * /login), a valid CSRF token on every POST (else 403) and the route's role (else 403). While the console's database
 * is away (a failover), a GET, which only reads, runs again as a whole; of a POST, only the session lookup before
 * its action, and the audit entry after it. What the database's absence still fails is a 503 with Retry-After.
 */
export function consoleHandler(
  routes: readonly Route[],
  store: ConsoleStore,
  log: Logger,
  { health, storeOutageRetry }: ConsoleHandlerOptions,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === "GET" && new URL(req.url ?? "/", "http://console.invalid").pathname === HEALTH_PATH)
      return answerHealthCheck(res, health);
    const clientGone = new AbortController();
    res.once("close", () => clientGone.abort());
    try {
      send(res, await handle(req, clientGone.signal));
    } catch (err) {
      if (err instanceof FormTooLargeError)
        return send(res, errorPage(413, "Too large", "The form is larger than the console accepts."));
      if (isTransientStoreError(err)) {
        log.warn("console request failed: its database is unavailable", { path: req.url, error: String(err) });
        if (!res.headersSent) send(res, storeUnavailable);
        return;
      }
      log.error("console request failed", { err, path: req.url });
      if (!res.headersSent)
        send(
          res,
          errorPage(500, "Something went wrong", "The console could not show this page; the details are in its log."),
        );
      else res.destroy();
    }
  };

  /** A GET only reads: all of it may run again. A POST's action runs once: only the session lookup before it does. */
  function handle(req: IncomingMessage, clientGone: AbortSignal): Promise<Reply> {
    const whileStoreAway: WhileStoreAway = (work) =>
      runAgainWhileStoreAway(work, storeOutageRetry, clientGone, (attempt, err) =>
        log.info("the console's database is away; running again", { path: req.url, attempt, error: String(err) }),
      );
    if (req.method === "POST")
      return respond(req, (token) => whileStoreAway(() => store.sessionOperator(token)), whileStoreAway);
    return whileStoreAway(() => respond(req, (token) => store.sessionOperator(token), whileStoreAway));
  }

  async function respond(
    req: IncomingMessage,
    lookUpSession: (sessionToken: string) => Promise<Operator | undefined>,
    whileStoreAway: WhileStoreAway,
  ): Promise<Reply> {
    const url = new URL(req.url ?? "/", "http://console.invalid");
    const method = req.method === "HEAD" ? "GET" : req.method;
    let params: (string | undefined)[] | undefined;
    const route = routes.find((r) => {
      if (r.method !== method) return false;
      const m = r.pattern.exec(url.pathname);
      if (m) params = m.slice(1).map(decodePathSegment);
      return m !== null;
    });
    if (params?.includes(undefined)) return errorPage(400, "Bad address", "The address is not valid percent-encoding.");
    const cookies = parseCookies(req.headers.cookie);
    const form = await readForm(req);
    const sessionToken = cookies.get(SESSION_COOKIE);
    const operator = sessionToken ? await lookUpSession(sessionToken) : undefined;

    if (!route?.public && !operator) {
      if (method === "GET")
        return redirect(
          `/login${url.pathname === "/" ? "" : `?next=${encodeURIComponent(url.pathname + url.search)}`}`,
        );
      return errorPage(401, "Not logged in", "Log in first.");
    }
    const csrf = sessionToken && operator ? sessionCsrf(sessionToken) : "";
    const chrome = { operator, csrf };
    if (!route) return errorPage(404, "Not found", `There is no page ${url.pathname}.`, chrome);
    if (method === "POST" && !route.public && !sameToken(form.get("csrf"), csrf)) {
      return errorPage(
        403,
        "Forbidden",
        "The form's security token is missing or stale. Reload the page and try again.",
        chrome,
      );
    }
    if (route.role && operator?.role !== route.role) {
      return errorPage(
        403,
        "Forbidden",
        `This needs the ${route.role} role; you are ${operator?.role ?? "not logged in"}.`,
        chrome,
      );
    }
    return route.handle({
      url,
      params: (params ?? []) as string[],
      form,
      cookies,
      client: clientKey(req.socket.remoteAddress),
      operator: operator!,
      csrf,
      audit: (entry) => whileStoreAway(() => store.audit({ ...entry, operatorId: operator!.id })),
      page: (title, body, status = 200) => ({ status, body: page(title, body, chrome) }),
    });
  }
}
