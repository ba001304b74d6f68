import { PayoutStatus, type Payout } from "../../gen/wallet/v1/wallet_pb.js";
import { waitFor } from "../support/wait.js";
import type { TestPlatform } from "../support/platform.js";
import { clientOf, money } from "../ledger/platform-books.js";

/** The wallet's payout API over a typed client, and the PSP's view of our payouts. */

export const setPayoutAccount = (platform: TestPlatform, sellerId: string, destination: string) =>
  clientOf(platform, "wallet").setPayoutAccount({ sellerId, destination });

export async function requestPayout(
  platform: TestPlatform,
  payoutId: string,
  sellerId: string,
  amountMinor: bigint | number,
  currency = "USD",
): Promise<Payout> {
  return (
    await clientOf(platform, "wallet").requestPayout({ payoutId, sellerId, amount: money(amountMinor, currency) })
  ).payout!;
}

export async function getPayout(platform: TestPlatform, payoutId: string): Promise<Payout> {
  return (await clientOf(platform, "wallet").getPayout({ payoutId })).payout!;
}

export function waitForPayout(platform: TestPlatform, payoutId: string, status: PayoutStatus): Promise<Payout> {
  return waitFor(
    () => getPayout(platform, payoutId),
    (p) => p.status === status,
    15_000,
    `payout ${payoutId} ${PayoutStatus[status]}`,
  );
}

export interface PspPayoutView {
  id: string;
  amount: number;
  currency: string;
  destination: string;
  reference: string;
  status: string;
  failure_code: string | null;
}

/** The PSP's payouts with our payout id as their reference. */
export async function pspPayouts(platform: TestPlatform, reference: string): Promise<PspPayoutView[]> {
  const res = await platform.pspApi(`/v1/payouts?reference=${encodeURIComponent(reference)}`);
  if (!res.ok) throw new Error(`PSP GET /v1/payouts answered ${res.status}`);
  return ((await res.json()) as { data: PspPayoutView[] }).data;
}
