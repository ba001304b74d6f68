import type { WalletBalance } from "../domain/invariants.js";

export interface WalletBalancesPort {
  /** Every seller's available balance in every currency. */
  listAll(): Promise<WalletBalance[]>;
}
