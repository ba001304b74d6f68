import http from "node:http";
import { expect } from "vitest";

/**
 * A person's browser reduced to HTTP for the console: keeps the cookies it is given, does not follow redirects (so
 * that tests see them), and reads the CSRF token from the page's forms as a browser would submit it. `localAddress`
 * (e.g. 127.0.0.2: all of 127/8 is this machine) makes it another client from the console's point of view.
 */
export interface ConsolePage {
  status: number;
  location: string | null;
  setCookies: string[];
  html: string;
  headers: Headers;
}

export class ConsoleBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly localAddress?: string,
  ) {}

  async get(path: string): Promise<ConsolePage> {
    return this.request(path, { method: "GET" });
  }

  /** Posts a form as it stands: add `csrf` yourself (see `csrfOf`) or leave it out to test the refusal. */
  async post(path: string, fields: Record<string, string>): Promise<ConsolePage> {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Opens a page and posts its form with the CSRF token the page carries, as a person filling it in would. */
  async submit(formPagePath: string, action: string, fields: Record<string, string>): Promise<ConsolePage> {
    const page = await this.get(formPagePath);
    return this.post(action, { csrf: csrfOf(page.html), ...fields });
  }

  async login(operator: string, password: string): Promise<ConsolePage> {
    return this.submit("/login", "/login", { operator, password });
  }

  async logout(): Promise<ConsolePage> {
    return this.submit("/payments", "/logout", {});
  }

  private async request(
    path: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<ConsolePage> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const headers = { ...init.headers, ...(cookie ? { cookie } : {}) };
    const res = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const req = http.request(
          new URL(path, this.baseUrl),
          { method: init.method, headers, localAddress: this.localAddress },
          (answer) => {
            let body = "";
            answer.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
            answer.on("end", () => resolve({ status: answer.statusCode!, headers: answer.headers, body }));
            answer.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(init.body);
      },
    );
    const setCookies = res.headers["set-cookie"] ?? [];
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === "" || attributes.some((a) => a.trim().toLowerCase() === "max-age=0")) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const fetched = new Headers();
    for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") fetched.set(name, value);
    return { status: res.status, location: res.headers.location ?? null, setCookies, html: res.body, headers: fetched };
  }
}

/** The CSRF token in a page's first form. */
export function csrfOf(html: string): string {
  const token = html.match(/<input type="hidden" name="csrf" value="([^"]*)">/)?.[1];
  if (!token) throw new Error(`no CSRF token on the page: ${html.slice(0, 300)}`);
  return token;
}

/** The cells' text of each table row whose markup contains `needle`. */
export function rowsContaining(html: string, needle: string): string[] {
  return (html.match(/<tr[^>]*>.*?<\/tr>/gs) ?? [])
    .filter((row) => row.includes(needle))
    .map((row) =>
      row
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
}

/** A browser logged in to the console at `baseUrl` as `login`; the test fails when the console refuses. */
export async function loggedIn(baseUrl: string, login: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(baseUrl);
  expect((await browser.login(login, password)).status).toBe(303);
  return browser;
}
