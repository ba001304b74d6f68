import { randomUUID } from "node:crypto";
import { PaymentStatus } from "../../../gen/payment/v1/payment_pb.js";
import { attempt, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import { redirect, type Route } from "./http-app.js";
import { concat, notice, path } from "../views/html.js";
import {
  PAYMENT_STATUSES,
  paymentDetail,
  paymentList,
  paymentSearch,
  statusName,
  type PaymentFilters,
} from "../views/payment-views.js";

const PAGE_SIZE = 50;

export function paymentRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/payments$/,
      handle: async (ctx) => {
        const q = ctx.url.searchParams;
        const paymentId = (q.get("payment_id") ?? "").trim();
        if (paymentId) return redirect(path("payments", paymentId));
        const filters: PaymentFilters = {
          buyer: (q.get("buyer") ?? "").trim(),
          seller: (q.get("seller") ?? "").trim(),
          status: q.get("status") ?? "",
        };
        const status = PAYMENT_STATUSES.find((s) => statusName(s) === filters.status);
        const pageToken = q.get("page") ?? "";
        const listed = await attempt(() =>
          clients.payments.listPayments({
            buyerId: filters.buyer,
            sellerId: filters.seller,
            status: status ?? PaymentStatus.UNSPECIFIED,
            pageSize: PAGE_SIZE,
            pageToken,
          }),
        );
        if (!listed.ok)
          return ctx.page(
            "Payments",
            concat(paymentSearch(filters), notice("error", describeFailure("payment service", listed.error))),
            httpStatusOf(listed.error),
          );
        return ctx.page("Payments", paymentList(filters, listed.value));
      },
    },
    {
      method: "GET",
      pattern: /^\/payments\/([^/]+)$/,
      handle: async (ctx) => {
        const paymentId = ctx.params[0]!;
        const [got, timeline, refunds] = await Promise.all([
          attempt(() => clients.payments.getPayment({ paymentId })),
          attempt(() => clients.payments.getPaymentTimeline({ paymentId })),
          attempt(() => clients.payments.listRefunds({ paymentId })),
        ]);
        if (!got.ok)
          return ctx.page(
            `Payment ${paymentId}`,
            notice("error", describeFailure("payment service", got.error)),
            httpStatusOf(got.error),
          );
        const payment = got.value.payment!;
        return ctx.page(
          `Payment ${payment.paymentId}`,
          paymentDetail({
            payment,
            timeline,
            refunds,
            operator: ctx.operator,
            csrf: ctx.csrf,
            refundId: `console-${randomUUID()}`,
            reviewed: ctx.url.searchParams.get("reviewed"),
            refunded: ctx.url.searchParams.get("refunded"),
          }),
        );
      },
    },
  ];
}
