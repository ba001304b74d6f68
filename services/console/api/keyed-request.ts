import { describeFailure, httpStatusOf, requestOnce } from "../adapters/clients.js";
import { redirect, type Reply, type RequestContext } from "./http-app.js";
import { html, notice, resubmitForm, type SafeHtml } from "./html.js";

/** An operator's money action sent under the form's idempotency key: a refund, a payout. */
export interface KeyedRequest {
  /** "refund": audited as refund_requested, refund_refused or refund_unconfirmed. */
  name: string;
  service: string;
  target: string;
  details: Record<string, unknown>;
  send(): Promise<unknown>;
  /** Whether the service has it under its key. */
  recorded(): Promise<boolean>;
  /** Where to go once it is requested. */
  doneLocation: string;
  /** The form's fields, its key among them, to send the same request again. */
  resubmit: { action: string; fields: Record<string, string> };
  back: SafeHtml;
}

/**
 * Sends it once (see requestOnce), audits what came of it, and answers: on to `doneLocation`; the service's refusal;
 * or, when it is not known whether it went through, the same request offered again under the same key.
 */
export async function sendKeyedRequest(ctx: RequestContext, request: KeyedRequest): Promise<Reply> {
  const outcome = await requestOnce(request.send, request.recorded);
  const error = outcome.kind === "done" ? undefined : outcome.error;
  await ctx.audit({
    action: `${request.name}_${outcome.kind === "done" ? "requested" : outcome.kind}`,
    target: request.target,
    details: { ...request.details, ...(error && { error: describeFailure(request.service, error) }) },
  });
  if (error === undefined) return redirect(request.doneLocation);
  const failure = notice("error", describeFailure(request.service, error));
  if (outcome.kind === "refused") return ctx.page(`The ${request.name} was refused`, html`${failure}${request.back}`, httpStatusOf(error));
  const again = resubmitForm(request.resubmit.action, request.resubmit.fields, ctx.csrf, `Send the same ${request.name} again`);
  const maybe = html`<p>It may have gone through. Sending the same ${request.name} again (the same key) carries it out at most once.</p>`;
  return ctx.page(`The ${request.name} is not confirmed`, html`${failure}${maybe}${again}${request.back}`, httpStatusOf(error));
}
