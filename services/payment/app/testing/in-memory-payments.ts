import { checkoutIdReused, type PricedCheckout } from "../../domain/checkout.js";
import type { Payment, RiskResult, StatusChange } from "../../domain/payment.js";
import type { PspPayment } from "../../domain/psp-payment.js";
import type { PaymentStatus } from "../../domain/status.js";
import { moveOrder, moveTo, type CapturePlan } from "../../domain/transition.js";
import type { LockedDecision, PaymentHistory, PaymentRepository, RecordedStatusChange } from "../ports.js";

/** PaymentRepository and PaymentHistory in memory, for unit tests: the state changes are the domain's, as in the SQL store. */
export class InMemoryPayments implements PaymentRepository, PaymentHistory {
  private readonly payments = new Map<string, { payment: Payment; fingerprint: string; plan?: CapturePlan }>();
  /** Every payment's status changes, in order: what the SQL store writes to the history and the outbox. */
  private readonly history: (RecordedStatusChange & { paymentId: string })[] = [];

  /** The statuses announced, in order. */
  get announced(): { paymentId: string; status: PaymentStatus }[] {
    return this.history.map(({ paymentId, status }) => ({ paymentId, status }));
  }

  async createOrGet(
    checkout: PricedCheckout,
    fingerprint: string,
    newPayment: { id: string; statusPageUrl: string },
  ): Promise<Payment> {
    const existing = [...this.payments.values()].find((p) => p.payment.checkoutId === checkout.checkoutId);
    if (existing) {
      if (existing.fingerprint !== fingerprint) throw checkoutIdReused(checkout.checkoutId, existing.payment.id);
      return existing.payment;
    }
    const now = new Date();
    const payment: Payment = {
      ...checkout,
      id: newPayment.id,
      statusPageUrl: newPayment.statusPageUrl,
      status: "NOT_STARTED",
      orders: checkout.orders.map((o) => ({ ...o, requestedMinor: o.amountMinor, status: "NOT_STARTED" })),
      requestedTotal: checkout.total,
      createdAt: now,
      updatedAt: now,
    };
    this.payments.set(payment.id, { payment, fingerprint });
    return payment;
  }

  async get(paymentId: string): Promise<Payment | undefined> {
    return this.payments.get(paymentId)?.payment;
  }

  async getByPspPaymentId(pspPaymentId: string): Promise<Payment | undefined> {
    return [...this.payments.values()].find((p) => p.payment.pspPaymentId === pspPaymentId)?.payment;
  }

  async getWithHistoryCursor(paymentId: string): Promise<{ payment: Payment; cursor: bigint } | undefined> {
    const payment = await this.get(paymentId);
    const changes = await this.statusChangesAfter(paymentId, 0n);
    return payment && { payment, cursor: changes.at(-1)?.cursor ?? 0n };
  }

  async statusChangesAfter(paymentId: string, cursor: bigint): Promise<RecordedStatusChange[]> {
    return this.history
      .filter((change) => change.paymentId === paymentId && change.cursor > cursor)
      .map(({ cursor, status, occurredAt }) => ({ cursor, status, occurredAt }));
  }

  /** Moves one order (a refund), announcing a new checkout status, as the SQL store's moveOrder. */
  moveOrder(paymentId: string, orderId: string, to: PaymentStatus): void {
    const entry = this.payments.get(paymentId)!;
    const moved = { ...moveOrder(entry.payment, orderId, to), updatedAt: new Date() };
    if (moved.status !== entry.payment.status) this.announce(paymentId, moved.status, moved.updatedAt);
    entry.payment = moved;
  }

  async recordRisk(paymentId: string, risk: RiskResult): Promise<boolean> {
    const entry = this.payments.get(paymentId);
    if (!entry || entry.payment.risk) return false;
    entry.payment = { ...entry.payment, risk };
    return true;
  }

  async recordReview(paymentId: string, review: NonNullable<RiskResult["review"]>): Promise<boolean> {
    const entry = this.payments.get(paymentId);
    if (entry?.payment.risk?.decision !== "REVIEW" || entry.payment.risk.review) return false;
    entry.payment = { ...entry.payment, risk: { ...entry.payment.risk, review } };
    return true;
  }

  async recordRegistration(paymentId: string, psp: PspPayment, approval?: RiskResult): Promise<Payment | undefined> {
    const entry = this.payments.get(paymentId);
    if (!entry) return undefined;
    if (approval) await this.recordRisk(paymentId, approval);
    if (entry.payment.pspPaymentId === undefined)
      entry.payment = { ...entry.payment, pspPaymentId: psp.id, hostedPageUrl: psp.hostedPageUrl };
    return this.move(paymentId, { to: "EXECUTING" });
  }

  async transition(paymentId: string, change: StatusChange): Promise<boolean> {
    return (await this.move(paymentId, change)) !== undefined;
  }

  async claimStale(): Promise<string[]> {
    return [...this.payments.values()]
      .filter((p) => ["NOT_STARTED", "EXECUTING", "PENDING", "AUTHORIZED"].includes(p.payment.status))
      .map((p) => p.payment.id);
  }

  async recordCapturePlan(paymentId: string, plan: CapturePlan): Promise<boolean> {
    const entry = this.payments.get(paymentId);
    if (entry?.payment.status !== "AUTHORIZED") return false;
    if (entry.plan && [...entry.plan].some(([orderId, amount]) => plan.get(orderId) !== amount)) return false;
    entry.plan = plan;
    return true;
  }

  async decideAndMove<A>(
    paymentId: string,
    decide: (payment: Payment | undefined, plannedCapture: bigint | undefined) => LockedDecision<A>,
  ): Promise<A | "moved" | "refused"> {
    const entry = this.payments.get(paymentId);
    const plan = entry?.plan;
    const decision = decide(entry?.payment, plan && [...plan.values()].reduce((sum, amount) => sum + amount, 0n));
    if ("answer" in decision) return decision.answer;
    return this.move(paymentId, decision.move) ? "moved" : "refused";
  }

  private move(paymentId: string, change: StatusChange): Payment | undefined {
    const entry = this.payments.get(paymentId);
    const moved = entry && moveTo(entry.payment, change, entry.plan);
    if (!entry || !moved) return undefined;
    entry.payment = { ...moved, updatedAt: new Date() };
    this.announce(paymentId, change.to, entry.payment.updatedAt);
    return entry.payment;
  }

  private announce(paymentId: string, status: PaymentStatus, occurredAt: Date): void {
    this.history.push({ paymentId, cursor: BigInt(this.history.length + 1), status, occurredAt });
  }
}
