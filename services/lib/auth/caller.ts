import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Identity } from "../tls/identity.js";

/** The authenticated caller of a request, and the operator the console vouched for, if any. */
export interface Caller {
  identity: Identity;
  operator?: string;
}

/** Set by the authorization interceptor before any handler runs. */
export const callerKey = createContextKey<Caller | undefined>(undefined, { description: "authenticated caller" });

export function callerOf(ctx: HandlerContext): Caller {
  const caller = ctx.values.get(callerKey);
  // Unreachable behind the interceptor; a handler reached without it must not act for nobody.
  if (!caller) throw new Error("no authenticated caller on this request");
  return caller;
}

/** Who is recorded as having done it: the operator the console vouched for, else the calling service. */
export function actorOf(ctx: HandlerContext): string {
  const { identity, operator } = callerOf(ctx);
  return operator ?? identity;
}
