/**
 * Prints the platform's authorization policy as the Markdown table of docs/security.md (one row per RPC: who may call it,
 * whether it is audited, whether a person must be named):  npx tsx scripts/policy-table.ts
 * test/security/policy-table.test.ts checks that docs/security.md shows exactly this.
 */
import { pathToFileURL } from "node:url";
import { commonPolicies } from "../services/lib/auth/common-policies.js";
import { OPERATOR_VOUCHER, type MethodRule, type ServicePolicy } from "../services/lib/auth/policy.js";
import { ledgerPolicy } from "../services/ledger/api/policy.js";
import { paymentPolicy } from "../services/payment/api/policy.js";
import { reconciliationPolicy } from "../services/reconciliation/api/policy.js";
import { riskPolicy } from "../services/risk/api/policy.js";
import { walletPolicy } from "../services/wallet/api/policy.js";
import { IDENTITIES } from "../services/lib/tls/identity.js";

export const PLATFORM_POLICIES: readonly ServicePolicy[] = [
  paymentPolicy,
  riskPolicy,
  ledgerPolicy,
  walletPolicy,
  reconciliationPolicy,
  ...commonPolicies,
];

export function policyTable(): string {
  const rows = PLATFORM_POLICIES.flatMap(({ service, methods }) =>
    service.methods.map((method) => {
      const rule = (methods as Record<string, MethodRule>)[method.localName]!;
      const callers = rule.callers.length === IDENTITIES.length ? "every identity" : rule.callers.join(", ");
      const operator =
        rule.operator === "required"
          ? "operator required"
          : rule.mutates && rule.callers.includes(OPERATOR_VOUCHER)
            ? "operator required from the console"
            : "";
      const notes = [rule.mutates ? "audited" : "", operator].filter(Boolean).join(", ");
      return `| \`${service.typeName}/${method.name}\` | ${callers} | ${notes} |`;
    }),
  );
  return ["| RPC | callers | |", "| --- | --- | --- |", ...rows].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(policyTable());
