import type { Violation } from "../../../gen/ledger/v1/ledger_pb.js";
import { html, path, table, type SafeHtml } from "./html.js";

const STALLS = new Set(["settled_not_booked", "outbox_events_unpublished", "dead_letters_waiting"]);

const row = (v: Violation) =>
  html`<tr><td>${v.invariant}</td><td>${v.transactionId ? html`<code>${v.transactionId}</code>` : v.accountCode ? html`<a href="${path("ledger", "accounts", v.accountCode)}">${v.accountCode}</a>` : ""}</td><td>${v.detail}</td></tr>`;

/** What CheckInvariants found: broken rules of the books, then events that stalled on their way, then what it could not check. */
export function booksCheck({ violations, notes }: { violations: Violation[]; notes: string[] }): SafeHtml {
  const books = violations.filter((v) => !STALLS.has(v.invariant));
  const stalls = violations.filter((v) => STALLS.has(v.invariant));
  const headers = ["invariant", "where", "detail"];
  return html`<p class="summary">${violations.length === 0 ? "Nothing wrong found." : `${violations.length} found.`}</p>
<h2>Rules of the books</h2>${table(headers, books.map(row), "Every rule holds.")}
<h2>Stalled on the way to the ledger</h2>${table(headers, stalls.map(row), "Nothing settled is waiting to be booked; no event is stuck.")}
${notes.length > 0 ? html`<h2>Not checked</h2><ul>${notes.map((n) => html`<li>${n}</li>`)}</ul>` : ""}`;
}
