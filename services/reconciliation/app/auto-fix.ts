import type { StoredException } from "../domain/exception.js";
import type { PaymentsPort, PspPort } from "./ports.js";

export type AutoFix = { fixed: true; resolution: string } | { fixed: false; why: string };

/**
 * A charge the PSP settled and the ledger never booked is a webhook we missed: once the PSP confirms the payment
 * succeeded, RefreshPayment applies it at once, the pay-in event flows and the ledger books it (the next run of the
 * file then finds the line matched). Anything else, or a payment we do not know, stays with finance.
 */
export async function autoFixMissingInLedger(
  exception: StoredException,
  psp: PspPort,
  payments: PaymentsPort,
): Promise<AutoFix> {
  const { pspReference, ourReference } = exception;
  if (exception.lineType !== "charge")
    return { fixed: false, why: `a ${exception.lineType} missing in the ledger needs a person` };
  const atPsp = await psp.payment(pspReference);
  if (atPsp === undefined) return { fixed: false, why: `the PSP does not know ${pspReference}` };
  if (atPsp.reference !== ourReference)
    return { fixed: false, why: `the PSP's ${pspReference} is for "${atPsp.reference}", not "${ourReference}"` };
  if (atPsp.status !== "succeeded") return { fixed: false, why: `the PSP says ${pspReference} is ${atPsp.status}` };
  const refreshed = await payments.refreshPayment(ourReference);
  if (refreshed === undefined)
    return {
      fixed: false,
      why: `the PSP says ${pspReference} succeeded, but the payment service does not know payment ${ourReference}`,
    };
  return {
    fixed: true,
    resolution: `the PSP confirmed ${pspReference} succeeded; RefreshPayment applied it (payment ${ourReference} is ${refreshed.status}), the ledger books it and the next run settles it`,
  };
}
