import type { Payment } from "../../gen/payment/v1/payment_pb.js";
import type { CheckoutRequest } from "../support/checkouts.js";
import { RetryingClient, type RetryOptions } from "./retrying-client.js";

/** The marketplace's checkout client: CreatePayment, idempotent on checkout_id, retried as RetryingClient does. */
export class RetryingPaymentClient extends RetryingClient<"payment"> {
  constructor(options: RetryOptions = {}) {
    super("payment", "marketplace", options);
  }

  async createPayment(request: CheckoutRequest, preferred: number): Promise<Payment> {
    return (await this.call("createPayment", request, preferred)).payment!;
  }
}
