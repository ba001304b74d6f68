import type { Money } from "../../../lib/money.js";
import type { Payout, PayoutStatus } from "../../domain/payout.js";
import type { PayableBalance, PayoutTransaction, PayoutTransactions, Payouts } from "../ports.js";

interface StoredPayout {
  payout: Payout;
  scheduleWindow?: number;
  polledAt: number;
}

/** A balance movement, as the SQL store's movements table records it. */
export interface Movement {
  eventId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
  kind: string;
}

interface WalletState {
  payouts: Map<string, StoredPayout>;
  /** Available minor units, by seller then currency. */
  balances: Map<string, Map<string, bigint>>;
  /** Payout account destinations, by seller. */
  accounts: Map<string, string>;
  movements: Movement[];
  /** The payout events, in order: what the SQL store writes to the outbox. */
  announced: { payoutId: string; status: PayoutStatus }[];
}

const bySellerThenCurrency = (a: PayableBalance, b: PayableBalance) =>
  a.sellerId.localeCompare(b.sellerId) || a.currency.localeCompare(b.currency);

/**
 * The wallet's payouts and balances in memory, for unit tests. One write at a time, as the row locks serialise them
 * in SQL; a transaction works on a copy that replaces the state only when `work` returns, so a throw undoes it all.
 */
export class InMemoryWallet implements Payouts, PayoutTransactions {
  private state: WalletState = {
    payouts: new Map(),
    balances: new Map(),
    accounts: new Map(),
    movements: [],
    announced: [],
  };
  private queue: Promise<unknown> = Promise.resolve();
  private events = 0;
  /** Another instance holds the scheduler's turn: this one creates no scheduled payouts. */
  schedulerBusy = false;

  constructor(private readonly now: () => number = Date.now) {}

  get movements(): readonly Movement[] {
    return this.state.movements;
  }

  get announced(): readonly { payoutId: string; status: PayoutStatus }[] {
    return this.state.announced;
  }

  available(sellerId: string, currency: string): bigint {
    return this.state.balances.get(sellerId)?.get(currency) ?? 0n;
  }

  /** A pay-in: money the seller has earned. */
  credit(sellerId: string, money: Money): void {
    addTo(this.state, {
      eventId: `evt_payin_${++this.events}`,
      sellerId,
      currency: money.currency,
      amountMinor: money.amountMinor,
      kind: "payin",
    });
  }

  setAccount(sellerId: string, destination: string): void {
    this.state.accounts.set(sellerId, destination);
  }

  async get(payoutId: string): Promise<Payout | undefined> {
    return this.state.payouts.get(payoutId)?.payout;
  }

  recordPspPayout(payoutId: string, pspPayoutId: string): Promise<Payout> {
    return this.commit(async (state) => {
      const stored = state.payouts.get(payoutId)!;
      stored.payout = { ...stored.payout, pspPayoutId, updatedAt: new Date(this.now()) };
      return stored.payout;
    });
  }

  claimPending(staleAfterMs: number, limit: number): Promise<Payout[]> {
    return this.commit(async (state) => {
      const now = this.now();
      const touched = (p: StoredPayout) => Math.max(p.payout.updatedAt.getTime(), p.polledAt);
      const stale = [...state.payouts.values()]
        .filter((p) => p.payout.status === "PENDING" && touched(p) < now - staleAfterMs)
        .sort((a, b) => touched(a) - touched(b))
        .slice(0, limit);
      for (const p of stale) p.polledAt = now;
      return stale.map((p) => p.payout);
    });
  }

  transaction<T>(work: (tx: PayoutTransaction) => Promise<T>): Promise<T> {
    return this.commit((state) => work(this.writes(state)));
  }

  private commit<T>(work: (draft: WalletState) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const draft = structuredClone(this.state);
      const result = await work(draft);
      this.state = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private writes(state: WalletState): PayoutTransaction {
    const at = () => new Date(this.now());
    const announce = (payout: Payout) => {
      state.announced.push({ payoutId: payout.payoutId, status: payout.status });
      return { payout, eventId: `evt_${++this.events}` };
    };
    return {
      get: async (payoutId) => state.payouts.get(payoutId)?.payout,
      payoutDestination: async (sellerId) => state.accounts.get(sellerId),
      async open(request, destination, scheduleWindow) {
        if (state.payouts.has(request.payoutId)) return undefined;
        const payout: Payout = {
          ...request,
          status: "PENDING",
          destination,
          pspPayoutId: undefined,
          failure: undefined,
          createdAt: at(),
          updatedAt: at(),
        };
        state.payouts.set(payout.payoutId, { payout, scheduleWindow, polledAt: 0 });
        return announce(payout);
      },
      async settle(payoutId, pspPayoutId, outcome) {
        const stored = state.payouts.get(payoutId);
        if (stored?.payout.status !== "PENDING") return undefined;
        const failure = outcome.status === "FAILED" ? outcome.failure : undefined;
        stored.payout = {
          ...stored.payout,
          status: outcome.status,
          pspPayoutId: pspPayoutId ?? stored.payout.pspPayoutId,
          failure,
          updatedAt: at(),
        };
        return announce(stored.payout);
      },
      async withdraw(eventId, sellerId, { amountMinor, currency }) {
        const availableMinor = state.balances.get(sellerId)?.get(currency) ?? 0n;
        if (availableMinor < amountMinor) return { withdrawn: false, availableMinor };
        addTo(state, { eventId, sellerId, currency, amountMinor: -amountMinor, kind: "payout" });
        return { withdrawn: true };
      },
      async move(eventId, currency, changes, kind) {
        for (const { sellerId, amountMinor } of changes)
          addTo(state, { eventId, sellerId, currency, amountMinor, kind });
      },
      takeSchedulerTurn: async () => !this.schedulerBusy,
      async payableBalances(window, minimums, limit) {
        const paidOut = (sellerId: string, currency: string) =>
          [...state.payouts.values()].some(
            (p) =>
              p.scheduleWindow === window && p.payout.sellerId === sellerId && p.payout.amount.currency === currency,
          );
        const payable: PayableBalance[] = [];
        for (const [sellerId, currencies] of state.balances) {
          const destination = state.accounts.get(sellerId);
          if (destination === undefined) continue;
          for (const [currency, availableMinor] of currencies) {
            const minimum = minimums.byCurrency[currency] ?? minimums.otherwise;
            if (availableMinor >= minimum && availableMinor > 0n && !paidOut(sellerId, currency))
              payable.push({ sellerId, currency, availableMinor, destination });
          }
        }
        return payable.sort(bySellerThenCurrency).slice(0, limit);
      },
    };
  }
}

function addTo(state: WalletState, movement: Movement): void {
  const currencies = state.balances.get(movement.sellerId) ?? new Map<string, bigint>();
  currencies.set(movement.currency, (currencies.get(movement.currency) ?? 0n) + movement.amountMinor);
  state.balances.set(movement.sellerId, currencies);
  state.movements.push(movement);
}
