import { afterAll, beforeAll } from "vitest";
import { grpcJsClient, type GrpcJsClient } from "./grpc-js.js";
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from "./platform.js";

export interface PlatformUnderTest {
  platform: TestPlatform;
  payments: GrpcJsClient;
  wallets: GrpcJsClient;
  ledger: GrpcJsClient;
}

/**
 * Starts a test platform for the file (beforeAll) with grpc-js clients of its payment, wallet and ledger services,
 * and stops it all afterwards. Read the fields inside tests: they are set once beforeAll has run.
 */
export function usePlatform(options: TestPlatformOptions = {}): PlatformUnderTest {
  const under = {} as PlatformUnderTest;
  beforeAll(async () => {
    under.platform = await startTestPlatform(options);
    under.payments = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", under.platform.payment.url);
    under.wallets = grpcJsClient("wallet/v1/wallet.proto", "wallet.v1.WalletService", under.platform.wallet.url);
    under.ledger = grpcJsClient("ledger/v1/ledger.proto", "ledger.v1.LedgerService", under.platform.ledger.url);
  });
  afterAll(async () => {
    for (const client of [under.payments, under.wallets, under.ledger]) client?.close();
    await under.platform?.close();
  });
  return under;
}
