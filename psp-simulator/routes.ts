import type { BalanceBreaks } from "./balance-breaks.js";
import type { Clock } from "./clock.js";
import type { DiscrepancyInjector } from "./discrepancies.js";
import { disputeObject, type Disputes } from "./disputes.js";
import { invalidParam, resourceMissing } from "./errors.js";
import type { Faults } from "./faults.js";
import { TextBody } from "./http.js";
import { paymentObject, type Payment, type Payments } from "./payments.js";
import { payoutObject, type Payouts } from "./payouts.js";
import { refundObject, type Refunds } from "./refunds.js";
import { settlementObject, type Settlements } from "./settlements.js";
import type { Store, Table } from "./store.js";
import {
  balanceBreakInput,
  cancelInput,
  captureInput,
  clockAdvanceInput,
  discrepanciesInput,
  disputeCloseInput,
  faultInput,
  newDisputeInput,
  newPaymentInput,
  newPayoutInput,
  newRefundInput,
  reviewInput,
  settlementRunInput,
  type JsonObject,
} from "./validation.js";
import type { WebhookDispatcher } from "./webhooks.js";

export interface RouteContext {
  baseUrl: string;
  store: Store;
  clock: Clock;
  payments: Payments;
  refunds: Refunds;
  payouts: Payouts;
  disputes: Disputes;
  settlements: Settlements;
  discrepancies: DiscrepancyInjector;
  balanceBreaks: BalanceBreaks;
  webhooks: WebhookDispatcher;
  faults: Faults;
}

export interface ApiRequest {
  params: string[];
  query: URLSearchParams;
  body: JsonObject;
}

export interface Route {
  method: "GET" | "POST";
  path: RegExp;
  handle(request: ApiRequest): { status: number; body: unknown };
  /** Subject to `fail_before_commit_rate` and `fail_after_commit_rate`: the requests that create or move money. */
  faulty?: boolean;
}

const ok = (body: unknown) => ({ status: 200, body });
const created = (body: unknown) => ({ status: 201, body });
const list = (data: readonly unknown[]) => ok({ object: "list", data });

function find<T extends { id: string }>(table: Table<T>, id: string | undefined, param = "id"): T {
  const row = id === undefined ? undefined : table.get(id);
  if (!row) throw resourceMissing(`No such ${table.noun}: '${id}'`, param);
  return row;
}

/** `GET /v1/<resource>/:id`, and `GET /v1/<resource>`, oldest first, optionally filtered on `?<filter>=`. */
function readRoutes<T extends { id: string }>(
  resource: string,
  table: Table<T>,
  view: (row: T) => unknown,
  filter: { param: string; value: (row: T) => string },
): Route[] {
  return [
    {
      method: "GET",
      path: new RegExp(`^/v1/${resource}$`),
      handle: ({ query }) => {
        const wanted = query.get(filter.param);
        return list(table.list((row) => wanted === null || filter.value(row) === wanted).map(view));
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/v1/${resource}/([^/]+)$`),
      handle: ({ params: [id] }) => ok(view(find(table, id))),
    },
  ];
}

/** The simulator's routes: the PSP's API, then the test helpers that drive it (what a real PSP's dashboard does). */
export function routes(ctx: RouteContext): Route[] {
  return [...apiRoutes(ctx), ...testHelperRoutes(ctx)];
}

const paymentView = (ctx: RouteContext) => (payment: Payment) => paymentObject(payment, ctx.baseUrl);

function apiRoutes(ctx: RouteContext): Route[] {
  const { store } = ctx;
  const viewPayment = paymentView(ctx);
  return [
    {
      method: "POST",
      path: /^\/v1\/payments$/,
      faulty: true,
      handle: ({ body }) => created(viewPayment(ctx.payments.create(newPaymentInput(body)))),
    },
    ...readRoutes("payments", store.payments, viewPayment, { param: "reference", value: (p) => p.reference }),
    {
      method: "POST",
      path: /^\/v1\/payments\/([^/]+)\/capture$/,
      faulty: true,
      handle: ({ params: [id], body }) => {
        const { amountToCapture } = captureInput(body);
        const payment = find(store.payments, id);
        ctx.payments.capture(payment, amountToCapture);
        return ok(viewPayment(payment));
      },
    },
    {
      method: "POST",
      path: /^\/v1\/payments\/([^/]+)\/cancel$/,
      faulty: true,
      handle: ({ params: [id], body }) => {
        const { reason } = cancelInput(body);
        const payment = find(store.payments, id);
        ctx.payments.cancel(payment, reason);
        return ok(viewPayment(payment));
      },
    },
    {
      method: "POST",
      path: /^\/v1\/refunds$/,
      faulty: true,
      handle: ({ body }) => {
        const { paymentId, ...input } = newRefundInput(body);
        return created(refundObject(ctx.refunds.create(find(store.payments, paymentId, "payment"), input)));
      },
    },
    ...readRoutes("refunds", store.refunds, refundObject, { param: "payment", value: (r) => r.payment.id }),
    {
      method: "POST",
      path: /^\/v1\/payouts$/,
      faulty: true,
      handle: ({ body }) => created(payoutObject(ctx.payouts.create(newPayoutInput(body)))),
    },
    ...readRoutes("payouts", store.payouts, payoutObject, { param: "reference", value: (p) => p.reference }),
    ...readRoutes("disputes", store.disputes, disputeObject, { param: "payment", value: (d) => d.payment.id }),
    {
      method: "GET",
      path: /^\/v1\/settlements$/,
      handle: () => list(ctx.settlements.list().map(settlementObject)),
    },
    {
      method: "GET",
      path: /^\/v1\/settlements\/([^/]+)$/,
      handle: ({ params: [date] }) => ok(settlementObject(ctx.settlements.get(date))),
    },
    {
      method: "GET",
      path: /^\/v1\/settlements\/([^/]+)\/file$/,
      handle: ({ params: [date] }) =>
        ok(new TextBody("text/csv; charset=utf-8", ctx.settlements.read(ctx.settlements.get(date)))),
    },
  ];
}

function testHelperRoutes(ctx: RouteContext): Route[] {
  const { store } = ctx;
  const viewPayment = paymentView(ctx);
  const faultConfig = () => ok({ object: "fault_config", ...ctx.faults.get() });
  const clock = () => ok({ object: "clock", now: ctx.clock.seconds(), offset_seconds: ctx.clock.offset / 1000 });
  const waitingDiscrepancies = () => list(ctx.discrepancies.waiting());
  const balanceBreaks = () => list(ctx.balanceBreaks.list());
  return [
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/payments\/([^/]+)\/review$/,
      handle: ({ params: [id], body }) => {
        const { approve } = reviewInput(body);
        const payment = find(store.payments, id);
        ctx.payments.resolveReview(payment, approve);
        return ok(viewPayment(payment));
      },
    },
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/payments\/([^/]+)\/dispute$/,
      handle: ({ params: [id], body }) => {
        const input = newDisputeInput(body);
        return created(disputeObject(ctx.disputes.open(find(store.payments, id), input)));
      },
    },
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/disputes\/([^/]+)\/close$/,
      handle: ({ params: [id], body }) => {
        const { won } = disputeCloseInput(body);
        const dispute = find(store.disputes, id);
        ctx.disputes.close(dispute, won);
        return ok(disputeObject(dispute));
      },
    },
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/faults$/,
      handle: ({ body }) => {
        ctx.faults.set(faultInput(body));
        return faultConfig();
      },
    },
    {
      method: "GET",
      path: /^\/v1\/test_helpers\/faults$/,
      handle: faultConfig,
    },
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/clock\/advance$/,
      handle: ({ body }) => {
        ctx.clock.advance(clockAdvanceInput(body).seconds * 1000);
        return clock();
      },
    },
    {
      method: "GET",
      path: /^\/v1\/test_helpers\/clock$/,
      handle: clock,
    },
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/settlements\/run$/,
      handle: ({ body }) => ok(settlementObject(ctx.settlements.run(settlementRunInput(body).date))),
    },
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/settlements\/discrepancies$/,
      handle: ({ body }) => {
        ctx.discrepancies.add(discrepanciesInput(body));
        return waitingDiscrepancies();
      },
    },
    {
      method: "GET",
      path: /^\/v1\/test_helpers\/settlements\/discrepancies$/,
      handle: waitingDiscrepancies,
    },
    {
      method: "POST",
      path: /^\/v1\/test_helpers\/settlements\/balance_breaks$/,
      handle: ({ body }) => {
        const input = balanceBreakInput(body);
        const { firstDate } = ctx.settlements;
        if (input.date < firstDate) {
          throw invalidParam(
            "date",
            `Invalid date: ${input.date} is before ${firstDate}, the first settlement day of this simulator.`,
          );
        }
        ctx.balanceBreaks.set(input);
        return balanceBreaks();
      },
    },
    {
      method: "GET",
      path: /^\/v1\/test_helpers\/settlements\/balance_breaks$/,
      handle: balanceBreaks,
    },
    {
      method: "GET",
      path: /^\/v1\/test_helpers\/webhook_deliveries$/,
      handle: ({ query }) => {
        const paymentId = query.get("payment_id");
        return list(ctx.webhooks.list().filter((d) => paymentId === null || d.payment_id === paymentId));
      },
    },
  ];
}
