import { httpStatusOf, requestOnce } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import { redirect, type Reply, type RequestContext } from "./http-app.js";
import type { SafeHtml } from "../views/html.js";
import { requestRefused, requestUnconfirmed } from "../views/operator-request-views.js";

/** An operator's action on money sent to a service: an adjustment, a refund, a payout, a risk-review decision. */
export interface OperatorRequest {
  /** "risk review": audited as risk_review_<doneAs>, risk_review_refused or risk_review_unconfirmed. */
  name: string;
  /** What the audit says once it went through; "requested" when not given. */
  doneAs?: string;
  service: string;
  target: string;
  /** Audited whatever the outcome; `doneDetails` only once it went through. */
  details: Record<string, unknown>;
  doneDetails?: Record<string, unknown>;
  send(): Promise<unknown>;
  /** Whether the service has it, for when its answer was lost. */
  recorded(): Promise<boolean>;
  /** Where to go once it went through. */
  doneLocation: string;
  /**
   * The form's fields, its idempotency key among them, to send the same request again when it is not known whether
   * it went through; none for a request without a key (the page then says to look before trying again).
   */
  resubmit?: { action: string; fields: Record<string, string> };
  back: SafeHtml;
}

/**
 * Sends it once (see requestOnce), audits what came of it, and answers: on to `doneLocation`; the service's refusal;
 * or, when it is not known whether it went through, the same request offered again under the same key.
 */
export async function sendOperatorRequest(ctx: RequestContext, request: OperatorRequest): Promise<Reply> {
  const outcome = await requestOnce(request.send, request.recorded);
  const error = outcome.kind === "done" ? undefined : outcome.error;
  await ctx.audit({
    action: `${request.name.replaceAll(" ", "_")}_${outcome.kind === "done" ? (request.doneAs ?? "requested") : outcome.kind}`,
    target: request.target,
    details: {
      ...request.details,
      ...(error ? { error: describeFailure(request.service, error) } : request.doneDetails),
    },
  });
  if (error === undefined) return redirect(request.doneLocation);
  const problem = describeFailure(request.service, error);
  if (outcome.kind === "refused")
    return ctx.page(`The ${request.name} was refused`, requestRefused(problem, request.back), httpStatusOf(error));
  return ctx.page(
    `The ${request.name} is not confirmed`,
    requestUnconfirmed(request.name, problem, request.back, ctx.csrf, request.resubmit),
    httpStatusOf(error),
  );
}
