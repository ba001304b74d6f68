import { html, notice, resubmitForm, type SafeHtml } from "./html.js";

/** The service's refusal of an operator's request, and the way back. */
export const requestRefused = (problem: string, back: SafeHtml): SafeHtml => html`${notice("error", problem)}${back}`;

/**
 * A request that may or may not have gone through: the failure, then the same request offered again under the same
 * key (`resubmit`), or, for a request without a key, the advice to look first.
 */
export function requestUnconfirmed(
  name: string,
  problem: string,
  back: SafeHtml,
  csrf: string,
  resubmit?: { action: string; fields: Record<string, string> },
): SafeHtml {
  const again = resubmit
    ? html`<p>It may have gone through. Sending the same ${name} again (the same key) carries it out at most once.</p>${resubmitForm(resubmit.action, resubmit.fields, csrf, `Send the same ${name} again`)}`
    : html`<p>It may have gone through all the same: look before trying again.</p>`;
  return html`${notice("error", problem)}${again}${back}`;
}
