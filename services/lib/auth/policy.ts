import type { DescService } from "@bufbuild/protobuf";
import type { Identity } from "../tls/identity.js";

/** Who may call one method, and what the call is. */
export interface MethodRule {
  callers: readonly Identity[];
  /** Changes something: every call, granted or not, leaves an audit record. */
  mutates: boolean;
  /** A person decides: the console must name the operator it calls for (see OPERATOR_HEADER). */
  operator?: "required";
}

/** A service's whole policy: one rule per method, so that a method added to the proto without one does not compile. */
export interface ServicePolicy<S extends DescService = DescService> {
  service: S;
  methods: { [K in keyof S["method"]]: MethodRule };
}

export function definePolicy<S extends DescService>(service: S, methods: ServicePolicy<S>["methods"]): ServicePolicy<S> {
  return { service, methods };
}

/** Only this identity may vouch for a logged-in operator. */
export const OPERATOR_VOUCHER: Identity = "console";
/** The metadata header in which the console names the operator on whose behalf it calls. */
export const OPERATOR_HEADER = "x-payments-operator";

export interface ResolvedRule extends MethodRule {
  service: string;
  method: string;
}

/** The rules of several policies by gRPC path ("/payment.v1.PaymentService/CreatePayment"). */
export function rulesByPath(policies: readonly ServicePolicy[]): Map<string, ResolvedRule> {
  const rules = new Map<string, ResolvedRule>();
  for (const { service, methods } of policies) {
    for (const method of service.methods) {
      const rule = (methods as Record<string, MethodRule | undefined>)[method.localName];
      if (rule) rules.set(`/${service.typeName}/${method.name}`, { ...rule, service: service.typeName, method: method.name });
    }
  }
  return rules;
}
