import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import type { DevPki } from "../../services/lib/tls/dev-ca.js";
import { runDemoCheckout } from "../demo-checkout.js";
import { NatsUnavailableError } from "./nats.js";

export interface StartedPlatform {
  urls: { paymentUrl: string; walletUrl: string; ledgerUrl: string };
  pki: DevPki;
}

/**
 * Brings a platform up with `up`, runs the demo checkout against it, then stays up until SIGINT or SIGTERM (or, with
 * --exit-after-demo, stops at once: exit code 0 when the demo succeeded). `stop` stops whatever `up` started, also
 * when it failed halfway.
 */
export async function runPlatform(
  up: () => Promise<StartedPlatform>,
  stop: () => Promise<void>,
  print: (line: string) => void,
): Promise<void> {
  // Ctrl-C while starting stops what has started too.
  const shutdown = () => stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  try {
    const { urls, pki } = await up();
    const result = await runDemoCheckout(
      urls,
      { marketplace: pki.material("marketplace"), operatorTools: pki.material("operator-tools") },
      print,
    );
    const ok = result.status === PaymentStatus.SUCCEEDED;
    print(ok ? "Demo checkout SUCCEEDED." : "Demo checkout did not succeed.");
    if (process.argv.includes("--exit-after-demo")) {
      await stop();
      process.exit(ok ? 0 : 1);
    }
    print("\nThe platform is up. Press Ctrl-C to stop.");
  } catch (err) {
    console.error(err instanceof NatsUnavailableError ? err.message : err);
    await stop();
    process.exit(1);
  }
}
