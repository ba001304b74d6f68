import type { DescService } from "@bufbuild/protobuf";
import type { Identity } from "../tls/identity.js";

interface RuleBase {
  callers: readonly Identity[];
  /** A person decides: the console must name the operator it calls for (see OPERATOR_HEADER). */
  operator?: "required";
}

/** Changes nothing: a call failed by a store outage is run again (grpc-server.ts, store-outage-retry.ts). */
interface ReadRule extends RuleBase {
  mutates: false;
}

/** Changes something: every call, granted or not, leaves an audit record. */
interface WriteRule extends RuleBase {
  mutates: true;
  /**
   * Whether a call failed by a store outage may be run again from its start: true only when a second run, also
   * after a first one that committed but lost its answer, has no second effect and answers as the first would
   * (an idempotency key, deterministic ids, constraints). False: the caller gets UNAVAILABLE at once. Said for each
   * mutating method, so that a new one is not re-run unless someone checked it.
   */
  retryOnStoreOutage: boolean;
}

/** Who may call one method, and what the call is. */
export type MethodRule = ReadRule | WriteRule;

/** A service's whole policy: one rule per method, so that a method added to the proto without one does not compile. */
export interface ServicePolicy<S extends DescService = DescService> {
  service: S;
  methods: { [K in keyof S["method"]]: MethodRule };
}

export function definePolicy<S extends DescService>(
  service: S,
  methods: ServicePolicy<S>["methods"],
): ServicePolicy<S> {
  return { service, methods };
}

/** Only this identity may vouch for a logged-in operator. */
export const OPERATOR_VOUCHER: Identity = "console";
/** The metadata header in which the console names the operator on whose behalf it calls. */
export const OPERATOR_HEADER = "x-payments-operator";

export type ResolvedRule = MethodRule & {
  service: string;
  method: string;
};

/** Whether a call failed by a store outage may be run again from its start (see WriteRule). */
export const retriesOnStoreOutage = (rule: MethodRule): boolean => !rule.mutates || rule.retryOnStoreOutage;

/** The rules of several policies by gRPC path ("/payment.v1.PaymentService/CreatePayment"). */
export function rulesByPath(policies: readonly ServicePolicy[]): Map<string, ResolvedRule> {
  const rules = new Map<string, ResolvedRule>();
  for (const { service, methods } of policies) {
    for (const method of service.methods) {
      const rule = (methods as Record<string, MethodRule | undefined>)[method.localName];
      if (rule)
        rules.set(`/${service.typeName}/${method.name}`, { ...rule, service: service.typeName, method: method.name });
    }
  }
  return rules;
}
