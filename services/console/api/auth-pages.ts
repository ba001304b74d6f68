import { LOGIN_BACKOFF, throttled, type FailureCount, type ThrottleScope } from "../domain/login-throttle.js";
import { isToken, newToken } from "../domain/operators.js";
import type { ConsoleStore } from "../store/console-store.js";
import { cookie, LOGIN_CSRF_COOKIE, redirect, sameToken, SESSION_COOKIE, type Reply, type Route } from "./http-app.js";
import { loginForm } from "../views/auth-views.js";
import { page } from "../views/html.js";

const SESSION_HOURS = 12;

const HOME = "/overview";
const THIS_CONSOLE = "http://console.invalid";

/** "/" then anything but another "/" or a backslash: a browser reads "//host" and "/\host" as another site. */
const isLocalPath = (path: string): boolean => /^\/[^/\\]/.test(path);

/**
 * Only a path on this console (no open redirect). Checked as sent and again as a browser resolves it (dropping tabs
 * and newlines, reading a backslash as "/", folding "/./" and "%2e"), since "/.//host" becomes "//host" only then.
 */
export function safeNext(next: string | null): string {
  if (!next || !isLocalPath(next)) return HOME;
  try {
    const url = new URL(next, THIS_CONSOLE);
    const resolved = url.pathname + url.search;
    return url.origin === THIS_CONSOLE && isLocalPath(resolved) ? resolved : HOME;
  } catch {
    return HOME;
  }
}

/**
 * Login CSRF: the form's token must equal the one in a SameSite=Strict cookie set with the form (double submit).
 * A token the browser already holds is kept, so that another login page (a second tab, or one the browser fetched
 * on its own) does not make the first one's form stale.
 */
function loginPage(cookies: Map<string, string>, next: string, problem?: string, status = 200): Reply {
  const held = cookies.get(LOGIN_CSRF_COOKIE);
  const token = held !== undefined && isToken(held) ? held : newToken();
  return {
    status,
    body: page("Log in", loginForm(token, next, problem)),
    cookies: [cookie(LOGIN_CSRF_COOKIE, token, 3600)],
  };
}

type LoginOutcome =
  | { kind: "throttled"; scope: ThrottleScope; until: Date }
  | { kind: "failed" }
  | { kind: "opened"; sessionToken: string };

async function failuresByScope(
  store: ConsoleStore,
  login: string,
  client: string,
  now: Date,
): Promise<Record<ThrottleScope, FailureCount>> {
  const since = (scope: ThrottleScope) => new Date(now.getTime() - LOGIN_BACKOFF[scope].windowMs);
  return {
    login_from_client: await store.failedLogins({ login, client }, since("login_from_client")),
    login: await store.failedLogins({ login }, since("login")),
    client: await store.failedLogins({ client }, since("client")),
  };
}

/** One login attempt, throttled, and audited whatever comes of it (with the client it came from). */
async function attemptLogin(
  store: ConsoleStore,
  attempt: { login: string; password: string; client: string; now: Date },
): Promise<LoginOutcome> {
  const { login, client } = attempt;
  const wait = throttled(await failuresByScope(store, login, client, attempt.now), attempt.now);
  if (wait) {
    await store.audit({
      operatorId: login,
      action: "login_throttled",
      target: login,
      details: { client, scope: wait.scope },
    });
    return { kind: "throttled", ...wait };
  }
  const operator = await store.authenticate(login, attempt.password);
  if (!operator) {
    await store.audit({ operatorId: login, action: "login_failed", target: login, details: { client } });
    return { kind: "failed" };
  }
  const sessionToken = await store.openSession(operator.id);
  await store.audit({
    operatorId: operator.id,
    action: "login",
    target: operator.id,
    details: { role: operator.role, client },
  });
  return { kind: "opened", sessionToken };
}

const THROTTLED_MESSAGE: Record<ThrottleScope, (login: string) => string> = {
  login_from_client: (login) => `Too many failed logins for "${login}" from your address`,
  login: (login) => `Too many failed logins for "${login}"`,
  client: () => "Too many failed logins from your address",
};

/** HH:MM, the first whole minute at or after `until`: trying at the time shown works. */
const retryTime = (until: Date): string =>
  new Date(Math.ceil(until.getTime() / 60_000) * 60_000).toISOString().slice(11, 16);

export function authRoutes(store: ConsoleStore, now: () => Date): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/login$/,
      public: true,
      handle: async ({ url, cookies }) => loginPage(cookies, safeNext(url.searchParams.get("next"))),
    },
    {
      method: "POST",
      pattern: /^\/login$/,
      public: true,
      handle: async ({ form, cookies, client }) => {
        const next = safeNext(form.get("next"));
        if (!sameToken(form.get("csrf"), cookies.get(LOGIN_CSRF_COOKIE)))
          return loginPage(cookies, next, "The form's security token is missing or stale; try again.", 403);
        const login = (form.get("operator") ?? "").trim().slice(0, 200);
        const outcome = await store.oneLoginAtATime(login, (locked) =>
          attemptLogin(locked, { login, password: form.get("password") ?? "", client, now: now() }),
        );
        switch (outcome.kind) {
          case "throttled":
            return loginPage(
              cookies,
              next,
              `${THROTTLED_MESSAGE[outcome.scope](login)}: try again at ${retryTime(outcome.until)} UTC.`,
              429,
            );
          case "failed":
            return loginPage(cookies, next, "Wrong login or password.", 401);
          case "opened":
            return redirect(next, [
              cookie(SESSION_COOKIE, outcome.sessionToken, SESSION_HOURS * 3600),
              cookie(LOGIN_CSRF_COOKIE, "", 0),
            ]);
        }
      },
    },
    {
      method: "POST",
      pattern: /^\/logout$/,
      handle: async ({ cookies, operator, audit }) => {
        await store.closeSession(cookies.get(SESSION_COOKIE)!);
        await audit({ action: "logout", target: operator.id });
        return redirect("/login", [cookie(SESSION_COOKIE, "", 0)]);
      },
    },
  ];
}

export const SESSION_TTL_MS = SESSION_HOURS * 3600 * 1000;
