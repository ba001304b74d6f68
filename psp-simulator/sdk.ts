import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { send } from "./http.js";

/** Path -> the script, read once: the SDK the merchant's page loads, and the script of the framed hosted page. */
const SCRIPTS: ReadonlyMap<string, string> = new Map(
  ["checkout.js", "frame.js"].map((name) => [
    `/sdk/v1/${name}`,
    readFileSync(new URL(`./sdk/${name}`, import.meta.url), "utf8"),
  ]),
);

/** `GET /sdk/v1/checkout.js` and `GET /sdk/v1/frame.js`. */
export async function handleSdk(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const script = req.method === "GET" ? SCRIPTS.get(url.pathname) : undefined;
  if (script === undefined) return send(res, 404, "text/plain; charset=utf-8", "Not found\n");
  send(res, 200, "text/javascript; charset=utf-8", script, {
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    // Loaded by merchant pages of other origins.
    "cross-origin-resource-policy": "cross-origin",
  });
}
