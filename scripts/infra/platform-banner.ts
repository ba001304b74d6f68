import type { DevPki } from "../../services/lib/tls/dev-ca.js";
import { address, PLATFORM_SERVICES, type PortMap, type ServiceName } from "./platform-services.js";

type Print = (line: string) => void;

export function printPki(pki: DevPki, print: Print): void {
  print(`Development PKI ${pki.dir}  (ca.pem, <identity>.pem, <identity>-key.pem)`);
  const operatorTools = Object.entries(pki.env("operator-tools"))
    .map(([name, file]) => `${name}=${file}`)
    .join(" ");
  print(`  scripts (npm run replay-settlement ...) call as operator-tools with: ${operatorTools}`);
}

export interface ServiceAddresses {
  /** Where callers reach each service (a balancer on a cluster, the one instance otherwise). */
  front: PortMap;
  /** Each instance's own ports. */
  instancesOf(name: ServiceName): PortMap[];
  shared: NodeJS.ProcessEnv;
  settlementDir: string;
}

/** One line per service: where to call it, what it serves, its metrics; instances too when there are several. */
export function printServices(print: Print, { front, instancesOf, shared, settlementDir }: ServiceAddresses): void {
  for (const spec of PLATFORM_SERVICES) {
    const instances = instancesOf(spec.name);
    const [main, ...others] = spec.ports;
    const serves = spec.name === "console" ? `login admin / ${shared.CONSOLE_ADMIN_PASSWORD}` : spec.serves;
    const metrics = others
      .filter((port) => port.role === "metrics")
      .map((port) => instances.map((ports) => `${address("http", ports[port.variable]!)}/metrics`).join(", "));
    print(
      [
        `${spec.title} ${address(main!.scheme, front[main!.variable]!)}  (${serves})`,
        ...metrics.map((urls) => `metrics ${urls}`),
      ].join("  "),
    );
    if (instances.length > 1) {
      for (const port of spec.ports.filter((p) => p.role === "callers")) {
        print(
          `  ${port.variable} instances: ${instances.map((ports) => address(port.scheme, ports[port.variable]!)).join(", ")}`,
        );
      }
    }
    if (spec.name === "payment") print(`PSP webhooks -> ${shared.PSP_WEBHOOK_URL}`);
    if (spec.name === "reconciliation")
      print(`Settlement files ${settlementDir}  (RunReconciliation's file_path names a file in it)`);
  }
}
