import type { PipelineMethods } from "../../lib/pipeline/pipeline-handlers.js";
import { actorOf } from "../../lib/auth/caller.js";
import type { ConnectRouter } from "@connectrpc/connect";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  CaptureMethod,
  CreatePaymentResponseSchema,
  type PaymentSchema,
  PaymentService,
  PaymentStatus as ProtoStatus,
  PendingReason as ProtoPendingReason,
  ReviewOutcome as ProtoReviewOutcome,
} from "../../../gen/payment/v1/payment_pb.js";
import { Decision as ProtoDecision } from "../../../gen/risk/v1/risk_pb.js";
import { invalidArgument } from "../../lib/errors.js";
import { moneyBackMethods } from "./money-back-handlers.js";
import { pageSize, pageTokens, type PageTokenKey } from "../../lib/page-token.js";
import { requireId } from "../../lib/validate.js";
import type { PaymentFlow } from "../app/payment-flow.js";
import type { PaymentWatch } from "../app/payment-watch.js";
import type { DisputeFlow } from "../app/dispute-flow.js";
import type { RefundFlow } from "../app/refund-flow.js";
import type { Payment, ReviewOutcome } from "../domain/payment.js";
import { PAYMENT_STATUSES, type PaymentStatus } from "../domain/status.js";
import type { PaymentStore } from "../store/payment-store.js";
import type { TimelineStore } from "../store/timeline-store.js";
import { CreatePaymentReplay, type SavedResponses } from "./create-payment-replay.js";
import { timelineMethods } from "./timeline-handlers.js";
import { statsMethods } from "./stats-handlers.js";

function requireStatus(status: ProtoStatus): PaymentStatus {
  const name = ProtoStatus[status] as PaymentStatus | undefined;
  if (name === undefined || !PAYMENT_STATUSES.includes(name))
    throw invalidArgument("status", `${status} is not a payment status`);
  return name;
}

function toProto(p: Payment): MessageInitShape<typeof PaymentSchema> {
  return {
    paymentId: p.id,
    checkoutId: p.checkoutId,
    buyerId: p.buyerId,
    buyerCountry: p.buyerCountry,
    status: ProtoStatus[p.status],
    total: { amountMinor: p.total, currency: p.currency },
    orders: p.orders.map((o) => ({
      orderId: o.orderId,
      sellerId: o.sellerId,
      amount: { amountMinor: o.amountMinor, currency: p.currency },
      status: ProtoStatus[o.status],
      requestedAmount: { amountMinor: o.requestedMinor, currency: p.currency },
    })),
    risk: p.risk && {
      decision: ProtoDecision[p.risk.decision],
      reasons: p.risk.reasons,
      reviewOutcome: p.risk.review && ProtoReviewOutcome[p.risk.review.outcome],
      reviewer: p.risk.review?.reviewer,
      reviewNote: p.risk.review?.note,
    },
    hostedPageUrl: p.hostedPageUrl,
    pspPaymentId: p.pspPaymentId,
    failureReason: p.failure?.reason,
    declineCode: p.failure?.declineCode,
    createdAt: timestampFromDate(p.createdAt),
    updatedAt: timestampFromDate(p.updatedAt),
    pendingReason: p.status === "PENDING" && p.pendingReason ? ProtoPendingReason[p.pendingReason] : undefined,
    statusPageUrl: p.statusPageUrl,
    embedOrigins: p.embedOrigins,
    captureMethod: CaptureMethod[p.captureMethod],
  };
}

export interface PaymentApi {
  flow: PaymentFlow;
  /** CreatePayment's first answers. */
  savedResponses: SavedResponses;
  store: PaymentStore;
  watch: PaymentWatch;
  refunds: RefundFlow;
  disputes: DisputeFlow;
  timeline: TimelineStore;
  tokenKey: PageTokenKey;
  pipeline: PipelineMethods;
}

export function paymentRoutes({
  flow,
  savedResponses,
  store,
  watch,
  refunds,
  disputes,
  timeline,
  tokenKey,
  pipeline,
}: PaymentApi) {
  const createPayments = new CreatePaymentReplay(flow, savedResponses, (payment) =>
    toBinary(CreatePaymentResponseSchema, create(CreatePaymentResponseSchema, { payment: toProto(payment) })),
  );
  const paymentPages = pageTokens(tokenKey, "payment.v1.PaymentService/ListPayments", { seq: "bigint" });
  return (router: ConnectRouter) =>
    router.service(PaymentService, {
      ...moneyBackMethods(refunds, disputes),
      ...timelineMethods(timeline),
      ...statsMethods(store),
      ...pipeline,
      async createPayment(req) {
        const input = {
          captureMethod: req.captureMethod === CaptureMethod.MANUAL ? ("MANUAL" as const) : ("AUTOMATIC" as const),
          checkoutId: req.checkoutId,
          buyerId: req.buyerId,
          buyerCountry: req.buyerCountry,
          returnUrl: req.returnUrl,
          embedOrigins: req.embedOrigins,
          orders: req.orders.map((o) => ({ orderId: o.orderId, sellerId: o.sellerId, amount: o.amount })),
        };
        return fromBinary(CreatePaymentResponseSchema, await createPayments.answer(input));
      },
      async getPayment(req) {
        return { payment: toProto(await flow.get(requireId("payment_id", req.paymentId))) };
      },
      async listPayments(req) {
        const limit = pageSize(req.pageSize, 20, 100);
        const cursor = paymentPages.decode(req.pageToken);
        const page = await store.list({
          buyerId: req.buyerId === "" ? undefined : requireId("buyer_id", req.buyerId),
          sellerId: req.sellerId === "" ? undefined : requireId("seller_id", req.sellerId),
          status: req.status === ProtoStatus.UNSPECIFIED ? undefined : requireStatus(req.status),
          awaitingRiskReview: req.awaitingRiskReview,
          beforeSeq: cursor?.seq,
          limit,
        });
        return {
          payments: page.payments.map(toProto),
          nextPageToken: page.nextSeq === undefined ? "" : paymentPages.encode({ seq: page.nextSeq }),
        };
      },
      async *watchPayment(req, context) {
        for await (const payment of watch.watch(requireId("payment_id", req.paymentId), context.signal))
          yield { payment: toProto(payment) };
      },
      async capturePayment(req) {
        const orders = req.orders.map((o) => ({ orderId: o.orderId, amount: o.amount }));
        return { payment: toProto(await flow.capture(requireId("payment_id", req.paymentId), orders)) };
      },
      async refreshPayment(req) {
        const paymentId = requireId("payment_id", req.paymentId);
        await flow.refresh(paymentId);
        return { payment: toProto(await flow.get(paymentId)) };
      },
      async voidPayment(req) {
        return { payment: toProto(await flow.void(requireId("payment_id", req.paymentId))) };
      },
      async decideRiskReview(req, ctx) {
        const outcome = ProtoReviewOutcome[req.outcome] as ReviewOutcome | "UNSPECIFIED" | undefined;
        if (outcome !== "APPROVED" && outcome !== "REJECTED")
          throw invalidArgument("outcome", "must be REVIEW_OUTCOME_APPROVED or REVIEW_OUTCOME_REJECTED");
        const payment = await flow.decideReview(
          requireId("payment_id", req.paymentId),
          outcome,
          actorOf(ctx),
          req.note.trim(),
        );
        return { payment: toProto(payment) };
      },
    });
}
