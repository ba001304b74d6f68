import type { Db } from "../../lib/db.js";
import type { PayoutTransaction, PayoutTransactions } from "../app/ports.js";
import type { PayoutStore } from "./payout-store.js";
import type { WalletStore } from "./wallet-store.js";

/** PayoutTransactions on PostgreSQL: the payout and balance stores on one transaction. */
export class SqlPayoutTransactions implements PayoutTransactions {
  constructor(
    private readonly db: Db,
    private readonly payouts: PayoutStore,
    private readonly balances: WalletStore,
  ) {}

  transaction<T>(work: (tx: PayoutTransaction) => Promise<T>): Promise<T> {
    const { payouts, balances } = this;
    return this.db.transaction((trx) =>
      work({
        get: (payoutId) => payouts.get(payoutId, trx),
        payoutDestination: (sellerId) => payouts.payoutDestination(trx, sellerId),
        open: (request, destination, scheduleWindow) => payouts.open(trx, request, destination, scheduleWindow),
        settle: (payoutId, pspPayoutId, outcome) => payouts.settle(trx, payoutId, pspPayoutId, outcome),
        withdraw: (eventId, sellerId, money) => balances.withdraw(trx, eventId, sellerId, money),
        move: (eventId, currency, changes, kind) => balances.move(trx, eventId, currency, changes, kind),
        takeSchedulerTurn: () => payouts.takeSchedulerTurn(trx),
        payableBalances: (window, minimums, limit) => payouts.payableBalances(trx, window, minimums, limit),
      }),
    );
  }
}
