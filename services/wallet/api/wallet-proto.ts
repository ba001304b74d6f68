import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  PayoutStatus as ProtoPayoutStatus,
  type BalanceSchema,
  type PayoutAccountSchema,
  type PayoutSchema,
} from "../../../gen/wallet/v1/wallet_pb.js";
import type { Payout } from "../domain/payout.js";
import type { PayoutAccount } from "../store/payout-store.js";
import type { Balance } from "../store/wallet-store.js";

/** Translation from the wallet's domain to its protobuf messages; domain status names are the proto enum names. */
export const balanceToProto = (b: Balance): MessageInitShape<typeof BalanceSchema> => ({
  sellerId: b.sellerId,
  available: { amountMinor: b.availableMinor, currency: b.currency },
  updatedAt: timestampFromDate(b.updatedAt),
});

export const payoutAccountToProto = (a: PayoutAccount): MessageInitShape<typeof PayoutAccountSchema> => ({
  sellerId: a.sellerId,
  destination: a.destination,
  updatedAt: timestampFromDate(a.updatedAt),
});

export const payoutToProto = (p: Payout): MessageInitShape<typeof PayoutSchema> => ({
  payoutId: p.payoutId,
  sellerId: p.sellerId,
  amount: p.amount,
  status: ProtoPayoutStatus[p.status],
  destination: p.destination,
  pspPayoutId: p.pspPayoutId ?? "",
  failureCode: p.failure?.code ?? "",
  failureMessage: p.failure?.message ?? "",
  createdAt: timestampFromDate(p.createdAt),
  updatedAt: timestampFromDate(p.updatedAt),
});
