import type { DeadLetter } from "../../contracts/dead-letter.js";
import { csrfField, html, notice, table, type SafeHtml } from "./html.js";

function letterRow(letter: DeadLetter, csrf: string, canReplay: boolean): SafeHtml {
  const replay =
    canReplay && letter.original
      ? html`<form method="post" action="/dead-letters/replay">${csrfField(csrf)}<input type="hidden" name="seq" value="${String(letter.dlqSeq)}"><button type="submit">Replay</button></form>`
      : "";
  // The action comes first: the row is wide, and a button at its end would be out of sight.
  return html`<tr data-dlq-seq="${String(letter.dlqSeq)}"><td>${replay}</td><td class="num">${letter.dlqSeq}</td><td>${letter.recordedAt}</td><td>${letter.consumer}</td><td>${letter.kind}</td><td class="num">${letter.streamSeq}</td><td class="num">${letter.deliveries}</td><td class="wrap">${letter.original?.subject ?? "(gone from the stream)"}</td><td class="wrap">${letter.original?.msgId ?? ""}</td><td class="wrap">${letter.reason}</td></tr>`;
}

/** The dead letters, each with (when allowed) its Replay button, under the one just replayed. */
export function deadLetterList(
  letters: DeadLetter[],
  v: { csrf: string; canReplay: boolean; replayed: string | null },
): SafeHtml {
  return html`${v.replayed ? notice("info", `Dead letter #${v.replayed} sent back to its consumer.`) : ""}<p>Events a consumer gave up on: undecodable ("poison"), or failing every delivery. Replay has the consumer that gave up read the original from the stream again; if it applied it meanwhile, it skips it.</p>
${table(
  ["", "#", "recorded (UTC)", "consumer", "kind", "stream seq", "deliveries", "subject", "event id", "reason"],
  letters.map((l) => letterRow(l, v.csrf, v.canReplay)),
  "No dead letters.",
)}`;
}
