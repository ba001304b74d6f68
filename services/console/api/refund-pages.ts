import { attempt, httpStatusOf, onBehalfOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import { readAmount } from "./amount-field.js";
import type { Route } from "./http-app.js";
import { sendOperatorRequest } from "./operator-request.js";
import { backLink, concat, money, notice, path, query } from "../views/html.js";

/** Finance gives money back for one order of a payment (RefundPayment under the form's own key), audited. */
export function refundRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "POST",
      pattern: /^\/payments\/([^/]+)\/refunds$/,
      role: "finance",
      handle: async (ctx) => {
        const paymentId = ctx.params[0]!;
        const back = backLink(path("payments", paymentId), "Back to the payment");
        const got = await attempt(() => clients.payments.getPayment({ paymentId }));
        if (!got.ok)
          return ctx.page(
            "Not refunded",
            concat(notice("error", describeFailure("payment service", got.error)), back),
            httpStatusOf(got.error),
          );
        const currency = got.value.payment!.total!.currency;
        const read = readAmount(ctx.form.get("amount") ?? "", currency);
        if ("problem" in read) return ctx.page("Not refunded", concat(notice("error", read.problem), back), 400);
        const { amount } = read;
        const reason = (ctx.form.get("reason") ?? "").trim();
        if (reason === "")
          return ctx.page(
            "Not refunded",
            concat(notice("error", "Write a reason: why, for the buyer's and the seller's records."), back),
            400,
          );
        const refundId = ctx.form.get("refund_id") ?? "";
        const orderId = ctx.form.get("order_id") ?? "";
        return sendOperatorRequest(ctx, {
          name: "refund",
          service: "payment service",
          target: `payment ${paymentId}`,
          details: { refund_id: refundId, order_id: orderId, amount: money(amount), reason },
          send: () =>
            clients.payments.refundPayment(
              { refundId, paymentId, orderId, amount, reason },
              onBehalfOf(ctx.operator.id),
            ),
          recorded: async () =>
            (await clients.payments.listRefunds({ paymentId })).refunds.some((r) => r.refundId === refundId),
          doneLocation: path("payments", paymentId) + query({ refunded: refundId }),
          resubmit: {
            action: path("payments", paymentId, "refunds"),
            fields: { refund_id: refundId, order_id: orderId, amount: ctx.form.get("amount") ?? "", reason },
          },
          back,
        });
      },
    },
  ];
}
