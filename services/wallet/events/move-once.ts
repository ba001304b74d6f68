import type { Db } from "../../lib/db.js";
import { applyOnce, type OnceHandlers } from "../../lib/events/apply-once.js";
import type { BalanceChange } from "../domain/balance-changes.js";
import type { WalletMove, WalletStore } from "../store/wallet-store.js";

/**
 * Handlers that apply each event's balance changes once, for one event or a batch; a batch's changes go in the
 * same two statements as one event's (WalletStore.moveMany), which lock the balances in wallet order.
 */
export function moveOncePerEvent<E extends { eventId: string; currency: string }>(
  db: Db,
  store: WalletStore,
  decode: (bytes: Uint8Array) => E,
  kind: string,
  changesOf: (event: E) => BalanceChange[],
): OnceHandlers {
  const moveOf = (event: E): WalletMove => ({
    eventId: event.eventId,
    currency: event.currency,
    changes: changesOf(event),
    kind,
  });
  return applyOnce(
    db,
    decode,
    (trx, event) => store.moveMany(trx, [moveOf(event)]),
    (trx, events) => store.moveMany(trx, events.map(moveOf)),
  );
}
