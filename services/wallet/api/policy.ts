import { WalletService } from "../../../gen/wallet/v1/wallet_pb.js";
import { definePolicy } from "../../lib/auth/policy.js";

const readers = ["marketplace", "console", "operator-tools"] as const;

export const walletPolicy = definePolicy(WalletService, {
  getBalance: { callers: readers, mutates: false },
  // The ledger's CheckInvariants compares every wallet with its seller_payable account.
  listBalances: { callers: [...readers, "ledger"], mutates: false },
  // Where a seller's money goes: the marketplace's backend alone, which knows its sellers.
  setPayoutAccount: { callers: ["marketplace"], mutates: true, retryOnStoreOutage: true },
  requestPayout: { callers: ["marketplace", "console"], mutates: true, retryOnStoreOutage: true },
  getPayout: { callers: readers, mutates: false },
  listPayouts: { callers: readers, mutates: false },
  // What the ledger's CheckInvariants compares with its books (and operators, to look into a stall).
  getPipelineHealth: { callers: ["ledger", "operator-tools"], mutates: false },
  listSettled: { callers: ["ledger", "operator-tools"], mutates: false },
});
