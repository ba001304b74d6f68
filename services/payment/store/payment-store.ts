import type { Knex } from "knex";
import { claimStaleRows, type Db } from "../../lib/db.js";
import { invariant, present } from "../../lib/invariant.js";
import { checkoutIdReused, type CaptureMethod, type PricedCheckout } from "../domain/checkout.js";
import type {
  Payment,
  PaymentOrder,
  PendingReason,
  ReviewOutcome,
  RiskResult,
  StatusChange,
} from "../domain/payment.js";
import type { PspPayment } from "../domain/psp-payment.js";
import type { PaymentStatsRow, StatsPeriod } from "../domain/payment-stats.js";
import { checkoutStatus, statusesBefore, type PaymentStatus } from "../domain/status.js";
import { moveOrder, moveTo, type CapturePlan } from "../domain/transition.js";
import type { LockedDecision, PaymentHistory, PaymentRepository, RecordedStatusChange } from "../app/ports.js";
import { outboxEvent, PAYMENT_OUTBOX } from "./outbox.js";

interface PaymentRow {
  id: string;
  seq: bigint;
  checkout_id: string;
  request_fingerprint: string;
  buyer_id: string;
  buyer_country: string;
  return_url: string;
  embed_origins: string[];
  currency: string;
  total_minor: bigint;
  platform_fee_bps: number;
  risk_decision: RiskResult["decision"] | null;
  risk_reasons: RiskResult["reasons"] | null;
  review_outcome: ReviewOutcome | null;
  reviewer: string | null;
  review_note: string | null;
  psp_payment_id: string | null;
  hosted_page_url: string | null;
  status_page_url: string;
  capture_method: CaptureMethod;
  requested_total_minor: bigint;
  failure_reason: string | null;
  decline_code: string | null;
  pending_reason: PendingReason | null;
  created_at: Date;
  updated_at: Date;
}

interface OrderRow {
  payment_id: string;
  order_id: string;
  seller_id: string;
  amount_minor: bigint;
  platform_fee_minor: bigint;
  requested_minor: bigint;
  capture_minor: bigint | null;
  status: PaymentStatus;
}

const ORDER_COLUMNS = [
  "order_id",
  "seller_id",
  "amount_minor",
  "platform_fee_minor",
  "requested_minor",
  "capture_minor",
  "status",
] as const;

/** A row of payments joined with their orders: the payment's columns, and the order's named order_<column>. */
type JoinedRow = PaymentRow & { [column: `order_${string}`]: unknown };

function orderOfJoined(row: JoinedRow): OrderRow {
  return {
    payment_id: row.id,
    ...Object.fromEntries(ORDER_COLUMNS.map((c) => [c, row[`order_${c}`]])),
  } as OrderRow;
}

function toOrder(o: OrderRow): PaymentOrder {
  return {
    orderId: o.order_id,
    sellerId: o.seller_id,
    amountMinor: o.amount_minor,
    platformFeeMinor: o.platform_fee_minor,
    requestedMinor: o.requested_minor,
    status: o.status,
  };
}

function toPayment(row: PaymentRow, orderRows: OrderRow[]): Payment {
  return paymentOf(row, orderRows.map(toOrder));
}

/** The pending capture plan written on the orders, if any. */
function capturePlanOf(orders: OrderRow[]): CapturePlan {
  return new Map(orders.flatMap((o) => (o.capture_minor === null ? [] : [[o.order_id, o.capture_minor] as const])));
}

function paymentOf(row: PaymentRow, orders: PaymentOrder[]): Payment {
  const risk: RiskResult | undefined =
    row.risk_decision === null
      ? undefined
      : {
          decision: row.risk_decision,
          reasons: row.risk_reasons ?? [],
          review:
            row.review_outcome === null
              ? undefined
              : { outcome: row.review_outcome, reviewer: row.reviewer ?? "", note: row.review_note ?? "" },
        };
  return {
    id: row.id,
    checkoutId: row.checkout_id,
    buyerId: row.buyer_id,
    buyerCountry: row.buyer_country,
    returnUrl: row.return_url,
    embedOrigins: row.embed_origins,
    currency: row.currency,
    total: row.total_minor,
    platformFeeBps: row.platform_fee_bps,
    status: checkoutStatus(orders.map((o) => o.status)),
    orders,
    risk,
    pspPaymentId: row.psp_payment_id ?? undefined,
    hostedPageUrl: row.hosted_page_url ?? undefined,
    statusPageUrl: row.status_page_url,
    captureMethod: row.capture_method,
    requestedTotal: row.requested_total_minor,
    failure:
      row.failure_reason === null
        ? undefined
        : { reason: row.failure_reason, declineCode: row.decline_code ?? undefined },
    pendingReason: row.pending_reason ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A new payment (the insert bound first) and its orders (as arrays, by position); the rows joined, as read(). */
const CREATE_PAYMENT_SQL = `
  with created as (?),
    orders as (
      insert into payment_orders
        (payment_id, position, order_id, seller_id, amount_minor, platform_fee_minor, requested_minor, status)
      select c.id, v.position, v.order_id, v.seller_id, v.amount_minor, v.platform_fee_minor, v.amount_minor, 'NOT_STARTED'
      from created c,
        unnest(?::smallint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[])
          as v(position, order_id, seller_id, amount_minor, platform_fee_minor)
      returning *)
  select c.*, ${ORDER_COLUMNS.map((col) => `o.${col} as order_${col}`).join(", ")}
  from created c join orders o on o.payment_id = c.id
  order by o.position`;

const LOCK_PAYMENT_SQL = `
  select p.*, ${ORDER_COLUMNS.map((c) => `o.${c} as order_${c}`).join(", ")}, now() as locked_at
  from payments p join payment_orders o on o.payment_id = p.id
  where p.id = ?
  order by o.position
  for update of p for no key update of o`;

/** A payment's row as its lock read it, with its orders, and the transaction's now(). */
interface LockedRow {
  row: PaymentRow;
  orders: OrderRow[];
  now: Date;
}

/** Each transaction's now() (constant through it), once read. */
const nowOf = new WeakMap<Knex.Transaction, Date>();

async function transactionNow(trx: Knex.Transaction): Promise<Date> {
  const known = nowOf.get(trx);
  if (known) return known;
  const { rows } = await trx.raw<{ rows: { now: Date }[] }>("select now()");
  const now = present(rows[0], "select now() answers a row").now;
  nowOf.set(trx, now);
  return now;
}

export interface PaymentPage {
  payments: Payment[];
  /** The seq to continue after, when there are more. */
  nextSeq?: bigint;
}

/** Serialises the event announcing a payment's new status. */
export type EventEncoder = (payment: Payment, eventId: string, occurredAt: Date) => Uint8Array;

const DATE_TRUNC_UNIT: Record<StatsPeriod, string> = { hour: "hour", day: "day" };

export class PaymentStore implements PaymentRepository, PaymentHistory {
  constructor(
    private readonly db: Db,
    private readonly encodeEvent: EventEncoder,
    private readonly subjectOf: (status: PaymentStatus) => string,
  ) {}

  /**
   * Records a new checkout, or finds the one already recorded under its checkout_id. Two concurrent calls with
   * one checkout_id create one payment: the unique constraint makes the second insert wait and then do nothing
   * (and its orders' insert, which takes the payment's row from it).
   */
  async createOrGet(
    checkout: PricedCheckout,
    fingerprint: string,
    newPayment: { id: string; statusPageUrl: string },
  ): Promise<Payment> {
    const insertPayment = this.db("payments")
      .insert({
        id: newPayment.id,
        checkout_id: checkout.checkoutId,
        request_fingerprint: fingerprint,
        buyer_id: checkout.buyerId,
        buyer_country: checkout.buyerCountry,
        return_url: checkout.returnUrl,
        embed_origins: checkout.embedOrigins,
        currency: checkout.currency,
        total_minor: checkout.total,
        platform_fee_bps: checkout.platformFeeBps,
        status_page_url: newPayment.statusPageUrl,
        capture_method: checkout.captureMethod,
        requested_total_minor: checkout.total,
      })
      .onConflict("checkout_id")
      .ignore()
      .returning("*");
    const { orders } = checkout;
    // One statement, so one transaction: the payment and its orders, or nothing when the checkout_id was taken.
    const { rows }: { rows: JoinedRow[] } = await this.db
      .raw(CREATE_PAYMENT_SQL, [
        insertPayment,
        orders.map((_, position) => position),
        orders.map((o) => o.orderId),
        orders.map((o) => o.sellerId),
        orders.map((o) => o.amountMinor.toString()),
        orders.map((o) => o.platformFeeMinor.toString()),
      ])
      // Named, as the lock: its text is the same for every checkout (every column is always given).
      .options({ name: "payment_create" });
    const [first] = rows;
    const created = first && toPayment(first, rows.map(orderOfJoined));
    if (created !== undefined) return created;
    const [existing] = await this.read({ "p.checkout_id": checkout.checkoutId });
    const found = present(existing, `the payment of checkout ${checkout.checkoutId} exists: its insert conflicted`);
    if (found.fingerprint !== fingerprint) throw checkoutIdReused(checkout.checkoutId, found.payment.id);
    return found.payment;
  }

  async getByPspPaymentId(pspPaymentId: string): Promise<Payment | undefined> {
    return (await this.read({ "p.psp_payment_id": pspPaymentId }))[0]?.payment;
  }

  async get(paymentId: string): Promise<Payment | undefined> {
    return (await this.read({ "p.id": paymentId }))[0]?.payment;
  }

  /** Newest first, `limit` at a time, continuing strictly before `beforeSeq`. */
  async list(filter: {
    buyerId?: string;
    sellerId?: string;
    status?: PaymentStatus;
    awaitingRiskReview?: boolean;
    beforeSeq?: bigint;
    limit: number;
  }): Promise<PaymentPage> {
    const query = this.db("payments")
      .orderBy("seq", "desc")
      .limit(filter.limit + 1);
    if (filter.buyerId) query.where({ buyer_id: filter.buyerId });
    if (filter.sellerId)
      query.whereRaw("exists (select 1 from payment_orders o where o.payment_id = payments.id and o.seller_id = ?)", [
        filter.sellerId,
      ]);
    if (filter.status) query.where({ checkout_status: filter.status });
    // awaitsReview (domain/payment.ts) in SQL.
    if (filter.awaitingRiskReview)
      query.where({ checkout_status: "NOT_STARTED", risk_decision: "REVIEW" }).whereNull("review_outcome");
    if (filter.beforeSeq !== undefined) query.where("seq", "<", filter.beforeSeq.toString());
    const rows: Pick<PaymentRow, "id" | "seq">[] = await query.select("id", "seq");
    const page = rows.slice(0, filter.limit);
    const ids = page.map((r) => r.id);
    const byId = new Map((await this.read((q) => q.whereIn("p.id", ids))).map(({ payment }) => [payment.id, payment]));
    // A payment is never deleted, so each id of the page is read back.
    const payments = ids.map((id) => present(byId.get(id), `payment ${id} of the page is read back`));
    return { payments, nextSeq: rows.length > filter.limit ? page.at(-1)?.seq : undefined };
  }

  /** How many payments are in each checkout status: the sums of the counts kept as they change (migration 016). */
  async countByStatus(): Promise<Map<PaymentStatus, number>> {
    const { rows } = await this.db.raw(
      "select status, sum(counted)::int as payments from payment_status_counts group by status",
    );
    return new Map(rows.map((r: { status: PaymentStatus; payments: number }) => [r.status, r.payments]));
  }

  /** The payments created in [from, to), per UTC period and currency, counted by checkout status. */
  async statsByPeriod(period: StatsPeriod, from: Date, to: Date): Promise<PaymentStatsRow[]> {
    const { rows } = await this.db.raw(
      // The period is written into the SQL (one of two constants): as a parameter, it costs PostgreSQL its hash
      // aggregate, and the query several times its time.
      `select date_trunc('${DATE_TRUNC_UNIT[period]}', p.created_at at time zone 'UTC') at time zone 'UTC' as start, p.currency,
              count(*)::int as created,
              count(*) filter (where p.checkout_status in ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'))::int as succeeded,
              count(*) filter (where p.checkout_status = 'FAILED')::int as failed,
              coalesce(sum(p.total_minor) filter (where p.checkout_status in ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')), 0)::text as charged_minor
       from payments p
       where p.created_at >= ? and p.created_at < ?
       group by 1, 2
       order by 1, 2`,
      [from, to],
    );
    return rows.map(
      (r: {
        start: Date;
        currency: string;
        created: number;
        succeeded: number;
        failed: number;
        charged_minor: string;
      }) => ({
        start: r.start,
        currency: r.currency,
        created: r.created,
        succeeded: r.succeeded,
        failed: r.failed,
        chargedMinor: BigInt(r.charged_minor),
      }),
    );
  }

  /**
   * Claims up to `limit` in-flight payments that nobody has touched or polled for `staleAfterMs` (see claimStaleRows).
   */
  async claimStale(staleAfterMs: number, limit: number): Promise<string[]> {
    const rows = await claimStaleRows<{ id: string }>(this.db, {
      table: "payments",
      key: "id",
      where:
        "exists (select 1 from payment_orders o where o.payment_id = payments.id and o.status in ('NOT_STARTED', 'EXECUTING', 'PENDING', 'AUTHORIZED'))",
      returning: "id",
      staleAfterMs,
      limit,
    });
    return rows.map((r) => r.id);
  }

  /** Records the risk service's answer once; a later answer for the same payment changes nothing (false). */
  async recordRisk(paymentId: string, risk: RiskResult): Promise<boolean> {
    const recorded = await this.db("payments")
      .where({ id: paymentId })
      .whereNull("risk_decision")
      .update({
        risk_decision: risk.decision,
        risk_reasons: JSON.stringify(risk.reasons),
        updated_at: this.db.fn.now(),
      });
    return recorded === 1;
  }

  /** Records a person's review decision; false if the payment was not waiting for one. */
  async recordReview(paymentId: string, review: NonNullable<RiskResult["review"]>): Promise<boolean> {
    const updated = await this.db("payments")
      .where({ id: paymentId, risk_decision: "REVIEW" })
      .whereNull("review_outcome")
      .update({
        review_outcome: review.outcome,
        reviewer: review.reviewer,
        review_note: review.note,
        updated_at: this.db.fn.now(),
      });
    return updated === 1;
  }

  /**
   * Remembers the PSP payment behind ours and moves NOT_STARTED -> EXECUTING; repeating it is harmless. Answers the
   * payment as it moved, or undefined when it was past NOT_STARTED already.
   */
  async recordRegistration(paymentId: string, psp: PspPayment, approval?: RiskResult): Promise<Payment | undefined> {
    return this.db.transaction(async (trx) => {
      const locked = await this.lock(trx, paymentId);
      if (locked === undefined) return undefined;
      // The first PSP ids and risk answer stand; they are kept even when the move is refused (the payment moved on).
      const recorded = {
        ...(locked.row.psp_payment_id === null && { psp_payment_id: psp.id, hosted_page_url: psp.hostedPageUrl }),
        ...(approval &&
          locked.row.risk_decision === null && {
            risk_decision: approval.decision,
            risk_reasons: JSON.stringify(approval.reasons),
          }),
      };
      const moved = await this.move(trx, locked, { to: "EXECUTING" }, recorded);
      if (moved === undefined && Object.keys(recorded).length > 0)
        await trx("payments").where({ id: paymentId }).update(recorded);
      return moved;
    });
  }

  /** Moves every order of the payment to `change.to` if the state machine allows it; false when it does not. */
  async transition(paymentId: string, change: StatusChange): Promise<boolean> {
    return this.db.transaction(
      async (trx) => (await this.move(trx, await this.lock(trx, paymentId), change)) !== undefined,
    );
  }

  /** The latest status change's id is the cursor; one repeatable-read snapshot gives both. */
  async getWithHistoryCursor(paymentId: string): Promise<{ payment: Payment; cursor: bigint } | undefined> {
    return this.db.transaction(
      async (trx) => {
        const row: PaymentRow | undefined = await trx("payments").where({ id: paymentId }).first();
        if (!row) return undefined;
        const payment = await this.paymentWithOrders(trx, row);
        const latest = await trx("status_history").where({ payment_id: paymentId }).max("id as id").first();
        return { payment, cursor: (latest?.id as bigint | null) ?? 0n };
      },
      { isolationLevel: "repeatable read" },
    );
  }

  async statusChangesAfter(paymentId: string, cursor: bigint): Promise<RecordedStatusChange[]> {
    const rows: { id: bigint; status: PaymentStatus; occurred_at: Date }[] = await this.db("status_history")
      .where({ payment_id: paymentId })
      .where("id", ">", cursor.toString())
      .orderBy("id");
    return rows.map((r) => ({ cursor: r.id, status: r.status, occurredAt: r.occurred_at }));
  }

  /**
   * Transitions of one payment are serialised on its row, so concurrent webhooks and pollers cannot interleave.
   * Answers the row as locked with its orders (undefined when there is no such payment), read by the locking
   * statement itself, and the transaction's now(), which every row it stamps gets.
   */
  private async lock(trx: Knex.Transaction, paymentId: string): Promise<LockedRow | undefined> {
    // The orders are locked too: a statement that waited for the payment's row reads the rows it locks as the holder
    // left them, but any other row as its snapshot, from before the wait, saw it (orders the holder moved).
    const { rows }: { rows: (JoinedRow & { locked_at: Date })[] } = await trx
      .raw(LOCK_PAYMENT_SQL, [paymentId])
      // Named, as the risk read: each connection parses and plans it once.
      .options({ name: "payment_lock" });
    const [first] = rows;
    if (first === undefined) return undefined;
    nowOf.set(trx, first.locked_at);
    return { row: first, orders: rows.map(orderOfJoined), now: first.locked_at };
  }

  /**
   * Runs `work` in a transaction holding the payment's row lock, with the payment as it is under that lock
   * (undefined when there is no such payment).
   */
  async withLockedPayment<T>(
    paymentId: string,
    work: (trx: Knex.Transaction, payment: Payment | undefined) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (trx) => {
      const locked = await this.lock(trx, paymentId);
      return work(trx, locked && toPayment(locked.row, locked.orders));
    });
  }

  /**
   * Moves one order (a refund), inside a `withLockedPayment` transaction; when that changes the checkout's status,
   * the change is recorded and announced like any other.
   */
  async moveOrder(trx: Knex.Transaction, payment: Payment, orderId: string, to: PaymentStatus): Promise<void> {
    await trx("payment_orders").where({ payment_id: payment.id, order_id: orderId }).update({ status: to });
    const moved = moveOrder(payment, orderId, to);
    if (moved.status !== payment.status)
      await this.announce(trx, { ...moved, updatedAt: await transactionNow(trx) }, { to: moved.status });
  }

  /**
   * Records what CapturePayment asks the PSP to capture of each order, applied when the PSP confirms it. False when
   * the payment is not AUTHORIZED, or another capture (different amounts) is already under way.
   */
  async recordCapturePlan(paymentId: string, plan: Map<string, bigint>): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const orders = (await this.lock(trx, paymentId))?.orders ?? [];
      if (orders.some((o) => o.status !== "AUTHORIZED")) return false;
      if (orders.some((o) => o.capture_minor !== null && o.capture_minor !== plan.get(o.order_id))) return false;
      for (const [orderId, capture] of plan)
        await trx("payment_orders")
          .where({ payment_id: paymentId, order_id: orderId })
          .update({ capture_minor: capture });
      return true;
    });
  }

  async decideAndMove<A>(
    paymentId: string,
    decide: (payment: Payment | undefined, plannedCapture: bigint | undefined) => LockedDecision<A>,
  ): Promise<A | "moved" | "refused"> {
    return this.db.transaction(async (trx) => {
      const locked = await this.lock(trx, paymentId);
      const plan = locked && capturePlanOf(locked.orders);
      const decision = decide(
        locked && toPayment(locked.row, locked.orders),
        plan && plan.size > 0 ? [...plan.values()].reduce((sum, amount) => sum + amount, 0n) : undefined,
      );
      if ("answer" in decision) return decision.answer;
      return (await this.move(trx, locked, decision.move)) ? "moved" : "refused";
    });
  }

  /**
   * The status change and the event announcing it commit together, or not at all; answers the payment moved. `locked`
   * is the payment as its lock read it, in this transaction; `recorded`, what else to record with the move (the
   * PSP's ids, the risk answer).
   */
  private async move(
    trx: Knex.Transaction,
    locked: LockedRow | undefined,
    change: StatusChange,
    recorded: Partial<Pick<PaymentRow, "psp_payment_id" | "hosted_page_url" | "risk_decision">> & {
      risk_reasons?: string;
    } = {},
  ): Promise<Payment | undefined> {
    if (locked === undefined) return undefined;
    const plan = capturePlanOf(locked.orders);
    const row = {
      ...locked.row,
      ...recorded,
      risk_reasons: recorded.risk_reasons === undefined ? locked.row.risk_reasons : JSON.parse(recorded.risk_reasons),
    };
    const moved = moveTo(toPayment(row, locked.orders), change, plan);
    if (moved === undefined) return undefined;
    const charged = change.to === "SUCCEEDED" && plan.size > 0;
    if (charged) await this.saveCharged(trx, moved, plan);
    // The orders first: the payment row's trigger derives its checkout status from them as announce() stamps it.
    await trx("payment_orders")
      .where({ payment_id: moved.id })
      .whereIn("status", statusesBefore(change.to))
      .update({ status: change.to });
    return this.announce(trx, { ...moved, updatedAt: locked.now }, change, {
      ...(charged && { total_minor: moved.total }),
      ...(change.failure && {
        failure_reason: change.failure.reason,
        decline_code: change.failure.declineCode ?? null,
      }),
      ...(change.pendingReason && { pending_reason: change.pendingReason }),
      ...recorded,
    });
  }

  /** The amounts and fees a confirmed capture charged, on its orders (announce() stamps the payment's total). */
  private async saveCharged(trx: Knex.Transaction, charged: Payment, plan: CapturePlan): Promise<void> {
    for (const o of charged.orders.filter((x) => plan.has(x.orderId))) {
      await trx("payment_orders")
        .where({ payment_id: charged.id, order_id: o.orderId })
        .update({ amount_minor: o.amountMinor, platform_fee_minor: o.platformFeeMinor });
    }
  }

  /**
   * Stamps the payment (updated_at, and `columns`), and records and announces its new checkout status `to`, in one
   * statement. `moved` is the payment as it is after the change, stamped with this transaction's now(); answers it.
   */
  private async announce(
    trx: Knex.Transaction,
    moved: Payment,
    { to }: StatusChange,
    columns: Record<string, unknown> = {},
  ): Promise<Payment> {
    const event = outboxEvent(this.subjectOf(to), (eventId) => this.encodeEvent(moved, eventId, moved.updatedAt));
    const stamp = trx("payments")
      .where({ id: moved.id })
      .update({ ...columns, updated_at: trx.fn.now() })
      .returning("id");
    const { rowCount } = await trx.raw(
      `with stamped as (?),
         history as (insert into status_history (payment_id, status, occurred_at) select id, ?::text, now() from stamped)
       insert into ?? (event_id, subject, payload, ??) select ?, ?, ?::bytea, id from stamped`,
      [stamp, to, PAYMENT_OUTBOX.table, PAYMENT_OUTBOX.aggregateColumn, event.event_id, event.subject, event.payload],
    );
    invariant(rowCount === 1, `payment ${moved.id} exists to announce its status`);
    return moved;
  }

  /** The payment of one row, with its orders. */
  private async paymentWithOrders(db: Db | Knex.Transaction, row: PaymentRow): Promise<Payment> {
    const orders: OrderRow[] = await db("payment_orders").where({ payment_id: row.id }).orderBy("position");
    return toPayment(row, orders);
  }

  /**
   * Payments with their orders, read by one statement: the row and its orders from one snapshot. Two reads (the row,
   * then its orders) could see a change commit in between, e.g. orders EXECUTING beside a row read before its
   * registration: a payment "EXECUTING" with no hosted page (found by the failover test, under retried checkouts).
   */
  private async read(
    where: Record<string, string> | ((query: Knex.QueryBuilder) => void),
  ): Promise<{ payment: Payment; fingerprint: string }[]> {
    const query = this.db("payments as p")
      .join("payment_orders as o", "o.payment_id", "p.id")
      .select("p.*", ...ORDER_COLUMNS.map((c) => `o.${c} as order_${c}`))
      .orderBy(["p.id", "o.position"]);
    if (typeof where === "function") where(query);
    else query.where(where);
    const rows: JoinedRow[] = await query;
    const byPayment = new Map<string, { row: PaymentRow; orders: OrderRow[] }>();
    for (const row of rows) {
      const entry = byPayment.get(row.id) ?? { row, orders: [] };
      entry.orders.push(orderOfJoined(row));
      byPayment.set(row.id, entry);
    }
    return [...byPayment.values()].map(({ row, orders }) => ({
      payment: toPayment(row, orders),
      fingerprint: row.request_fingerprint,
    }));
  }
}
