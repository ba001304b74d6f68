import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { formatMoney, type Money } from "../../lib/money.js";
import type { Operator } from "../domain/operators.js";

/** Markup that is already safe: the only thing the `html` template inserts unescaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Part = SafeHtml | string | number | bigint | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  if (part === null || part === undefined || part === false) return "";
  return escapeHtml(String(part));
}

/** A template whose every interpolation is HTML-escaped, except SafeHtml (e.g. another `html` result) and arrays of them. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): SafeHtml {
  let out = strings[0]!;
  for (const [i, part] of parts.entries()) out += render(part) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** A link path from segments, each percent-encoded: `path("payments", id)` -> `/payments/pay_1`. */
export const path = (...segments: string[]): string => `/${segments.map(encodeURIComponent).join("/")}`;

/** A query string from the non-empty values. */
export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

export const money = (m: Money | undefined): string => (m ? formatMoney(m) : "-");
export const time = (t: Timestamp | undefined): string =>
  t
    ? timestampDate(t)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z")
    : "-";

/** An enum value's name without its prefix: PAYMENT_STATUS_SUCCEEDED -> SUCCEEDED. */
export function enumName(names: Record<number, string>, value: number, prefix: string): string {
  const name = names[value] ?? String(value);
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** A hidden field with the CSRF token: every POST form carries one. */
export const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="csrf" value="${token}">`;

/** A form sending the same fields again (the same idempotency key among them), for a request whose outcome is unknown. */
export const resubmitForm = (action: string, fields: Record<string, string>, csrf: string, label: string): SafeHtml =>
  html`<form method="post" action="${action}">${csrfField(csrf)}${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<button type="submit">${label}</button></form>`;

/** Parts one after the other, as the `html` template would join them. */
export const concat = (...parts: (SafeHtml | string)[]): SafeHtml => html`${parts}`;

/** A paragraph linking back to where the operator came from. */
export const backLink = (href: string, label: string): SafeHtml => html`<p><a href="${href}">${label}</a></p>`;

export const notice = (kind: "error" | "info", text: string): SafeHtml =>
  html`<p class="notice ${kind}" role="${kind === "error" ? "alert" : "status"}">${text}</p>`;

export const table = (headers: string[], rows: SafeHtml[], empty = "Nothing here."): SafeHtml =>
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<div class="scroll"><table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f5f6f8}
header{background:#1d2430;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header a{color:#fff;text-decoration:none}
header nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem;flex:1}
header form{margin:0}
header .who{font-size:.85rem;opacity:.85}
main{max-width:72rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}
h1{font-size:1.35rem;margin:.25rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.scroll{overflow-x:auto;background:#fff;border:1px solid #dde1e7;border-radius:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #eceef2;white-space:nowrap;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:9rem}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0 0 1rem}
label{display:flex;flex-direction:column;font-size:.85rem;gap:.15rem}
input,select,button{font:inherit;padding:.4rem .5rem;border:1px solid #b9c0cb;border-radius:4px;min-height:2.4rem;max-width:100%}
input[type=radio],input[type=checkbox]{min-height:0;padding:0;margin:.2rem .4rem 0 0;flex:none}
label.choice{flex-direction:row;align-items:flex-start;font-size:1rem}
button{background:#2453c4;color:#fff;border-color:#2453c4;cursor:pointer}
button.link{background:none;border:none;color:inherit;padding:0;min-height:0;text-decoration:underline}
.notice{padding:.6rem .8rem;border-radius:4px}
.notice.error{background:#fde8e8;border:1px solid #f5b5b5}
.notice.info{background:#e8f0fd;border:1px solid #b5c9f5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.75rem}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
.status{font-weight:600}
.chart{margin:0 0 1rem;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.5rem}
.chart svg[role=img]{display:block;width:100%;height:auto}
.chart figcaption{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.85rem}
.ranges{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:0 0 1rem}
@media (max-width:40rem){main{padding:.6rem}dl{grid-template-columns:1fr}dt{margin-top:.4rem}}
`;

export interface PageChrome {
  operator?: Operator;
  csrf?: string;
}

/** A whole page: viewport meta, inline style (nothing from another host), the navigation when someone is logged in. */
export function page(title: string, body: SafeHtml, chrome: PageChrome = {}): string {
  const { operator, csrf } = chrome;
  const nav = operator
    ? html`<nav><a href="/overview">Overview</a><a href="/payments">Payments</a><a href="/risk-reviews">Risk reviews</a><a href="/ledger">Ledger</a><a href="/reconciliation">Reconciliation</a><a href="/reconciliation/exceptions">Open exceptions</a><a href="/wallets">Wallets</a><a href="/dead-letters">Dead letters</a><a href="/audit">Audit</a><a href="/operators">Operators</a></nav>
<span class="who">${operator.displayName} (${operator.id}, ${operator.role})</span>
<form method="post" action="/logout">${csrfField(csrf ?? "")}<button class="link" type="submit">Log out</button></form>`
    : html``;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title} · Operator console</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<header><a href="/"><strong>Operator console</strong></a>${nav}</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}
