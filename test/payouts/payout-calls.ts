import { waitFor } from "../support/wait.js";
import type { TestPlatform } from "../support/platform.js";
import { call, money } from "../ledger/platform-books.js";

/** The wallet's payout API over grpc-js, and the PSP's view of our payouts. */

export interface PayoutView {
  payoutId: string;
  sellerId: string;
  amount: { amountMinor: string; currency: string };
  status: "PAYOUT_STATUS_PENDING" | "PAYOUT_STATUS_PAID" | "PAYOUT_STATUS_FAILED";
  destination: string;
  pspPayoutId: string;
  failureCode: string;
  failureMessage: string;
}

export const setPayoutAccount = (platform: TestPlatform, sellerId: string, destination: string) =>
  call(platform, "wallet", "setPayoutAccount", { sellerId, destination });

export async function requestPayout(platform: TestPlatform, payoutId: string, sellerId: string, amountMinor: bigint | number, currency = "USD"): Promise<PayoutView> {
  return (await call(platform, "wallet", "requestPayout", { payoutId, sellerId, amount: money(amountMinor, currency) })).payout;
}

export async function getPayout(platform: TestPlatform, payoutId: string): Promise<PayoutView> {
  return (await call(platform, "wallet", "getPayout", { payoutId })).payout;
}

export function waitForPayout(platform: TestPlatform, payoutId: string, status: PayoutView["status"]): Promise<PayoutView> {
  return waitFor(() => getPayout(platform, payoutId), (p) => p.status === status, 15_000, `payout ${payoutId} ${status}`);
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
