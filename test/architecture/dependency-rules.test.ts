import { describe, expect, it } from "vitest";
import { violations, type Violation } from "./dependency-rules.js";
import { importsOf, sourceFiles } from "./imports.js";

const edge = (v: Pick<Violation, "from" | "to">) => `${v.from} -> ${v.to}`;
/** `from`'s imports of files (".ts") and packages. */
const imports = (from: string, ...targets: string[]) =>
  targets.map((target) => ({ from, specifier: target, ...(target.endsWith(".ts") && { to: target }) }));

describe("the dependency rules", () => {
  it("catch a service importing another's files, a domain importing beyond the kernel and contracts, an app importing a store, a view beyond its domain", () => {
    const found = violations([
      ...imports(
        "services/payment/api/x.ts",
        "services/wallet/domain/payout.ts",
        "services/lib/log.ts",
        "services/contracts/events/payment-event.ts",
      ),
      ...imports(
        "services/payment/domain/x.ts",
        "services/payment/domain/fees.ts",
        "services/lib/money.ts",
        "gen/payment/v1/payment_pb.ts",
        "node:crypto",
      ),
      ...imports(
        "services/payment/domain/x.ts",
        "services/lib/log.ts",
        "services/payment/store/payment-store.ts",
        "knex",
      ),
      ...imports("services/payment/domain/x.test.ts", "vitest", "fast-check"),
      ...imports(
        "services/payment/app/x.ts",
        "services/payment/store/payment-store.ts",
        "services/payment/domain/fees.ts",
      ),
      ...imports("services/lib/money.ts", "pino"),
      ...imports(
        "services/console/views/x.ts",
        "services/console/views/html.ts",
        "services/console/domain/operators.ts",
        "services/lib/escape-html.ts",
        "@connectrpc/connect",
        "services/console/adapters/clients.ts",
        "services/console/store/console-store.ts",
        "services/lib/events/dead-letters.ts",
      ),
    ]);
    expect(found.map((v) => `${v.rule}: ${edge(v)}`)).toEqual([
      "no service imports another service's files: services/payment/api/x.ts -> services/wallet/domain/payout.ts",
      "domain/ imports only its own domain, the shared kernel and contracts: services/payment/domain/x.ts -> services/lib/log.ts",
      "domain/ imports only its own domain, the shared kernel and contracts: services/payment/domain/x.ts -> services/payment/store/payment-store.ts",
      "domain/ imports only its own domain, the shared kernel and contracts: services/payment/domain/x.ts -> knex",
      "the shared kernel imports only the kernel and contracts: services/lib/money.ts -> pino",
      "views/ import only views, their service's domain, the shared kernel and contracts: services/console/views/x.ts -> services/console/adapters/clients.ts",
      "views/ import only views, their service's domain, the shared kernel and contracts: services/console/views/x.ts -> services/console/store/console-store.ts",
      "views/ import only views, their service's domain, the shared kernel and contracts: services/console/views/x.ts -> services/lib/events/dead-letters.ts",
      "app/ never imports store/: services/payment/app/x.ts -> services/payment/store/payment-store.ts",
    ]);
  });

  const files = sourceFiles("services");
  const all = violations(files.flatMap(importsOf));

  it("hold for every import under services/", () => {
    expect(files.length).toBeGreaterThan(300);
    expect(all.map((v) => `${v.rule}: ${edge(v)}`)).toEqual([]);
  });
});
