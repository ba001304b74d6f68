import { PAYMENT_SERVICE, RetryingClient, type RetryOptions } from "./retrying-client.js";

/** The marketplace's checkout client: CreatePayment, idempotent on checkout_id, retried as RetryingClient does. */
export class RetryingPaymentClient extends RetryingClient {
  constructor(options: RetryOptions = {}) {
    super(PAYMENT_SERVICE, "marketplace", options);
  }

  async createPayment(request: object, preferred: number): Promise<any> {
    return (await this.call("createPayment", request, preferred)).payment;
  }
}
