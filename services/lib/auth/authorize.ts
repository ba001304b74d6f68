import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { OPERATOR_HEADER, OPERATOR_VOUCHER, type ResolvedRule } from "./policy.js";
import { callerKey, type Caller } from "./caller.js";
import type { PeerAuthentication } from "./peer-identity.js";
import type { AuditSink } from "./audit.js";
import { requestIds } from "./audit.js";
import type { Logger } from "../log.js";
import { codeName } from "../metrics/rpc-metrics.js";

/** Set per request from the TLS connection (connectNodeAdapter's contextValues). */
export const peerKey = createContextKey<PeerAuthentication>(
  { ok: false, reason: "no TLS connection" },
  { description: "TLS peer" },
);

const OPERATOR_LOGIN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Default deny: a request goes on only when its caller is authenticated by certificate and the method's rule grants
 * that identity. Every call of a mutating method, granted or refused, is audited with its outcome.
 */
export function authorize(rules: ReadonlyMap<string, ResolvedRule>, audit: AuditSink, log: Logger): Interceptor {
  return (next) => async (req) => {
    const peer = req.contextValues.get(peerKey);
    if (!peer.ok) {
      log.warn("unauthenticated call refused", {
        procedure: `/${req.service.typeName}/${req.method.name}`,
        reason: peer.reason,
      });
      throw new ConnectError(peer.reason, Code.Unauthenticated);
    }
    const path = `/${req.service.typeName}/${req.method.name}`;
    const rule = rules.get(path);
    const caller = callerFrom(peer.identity, req.header.get(OPERATOR_HEADER));
    const refusal = refusalOf(rule, caller, path);
    const request = req.stream ? undefined : req.message;
    // An operator is recorded only as the console vouched for one: anyone else's header is refused, not believed.
    const vouched =
      caller.operator !== undefined && caller.identity === OPERATOR_VOUCHER && OPERATOR_LOGIN.test(caller.operator);
    const recorded: Caller = vouched ? caller : { identity: caller.identity };
    const record = (outcome: Code | "OK") =>
      (rule?.mutates ?? true)
        ? audit({
            caller: recorded,
            method: path,
            ids: requestIds(request),
            outcome: outcome === "OK" ? "OK" : codeName(outcome).toUpperCase(),
          })
        : Promise.resolve();
    if (refusal) {
      log.warn("call refused by policy", { procedure: path, caller: caller.identity, reason: refusal.rawMessage });
      await record(refusal.code);
      throw refusal;
    }
    req.contextValues.set(callerKey, caller);
    if (!rule!.mutates) return next(req);
    try {
      const res = await next(req);
      await record("OK");
      return res;
    } catch (err) {
      await record(ConnectError.from(err).code);
      throw err;
    }
  };
}

function callerFrom(identity: Caller["identity"], operatorHeader: string | null): Caller {
  return operatorHeader === null ? { identity } : { identity, operator: operatorHeader };
}

function refusalOf(rule: ResolvedRule | undefined, caller: Caller, path: string): ConnectError | undefined {
  const denied = (why: string) => new ConnectError(why, Code.PermissionDenied);
  if (!rule) return denied(`${path} is not in this service's policy: nobody may call it`);
  if (!rule.callers.includes(caller.identity)) return denied(`${caller.identity} may not call ${path}`);
  if (caller.operator !== undefined) {
    if (caller.identity !== OPERATOR_VOUCHER)
      return denied(
        `only the ${OPERATOR_VOUCHER} may name an operator (${OPERATOR_HEADER}); ${caller.identity} may not`,
      );
    if (!OPERATOR_LOGIN.test(caller.operator))
      return new ConnectError(`${OPERATOR_HEADER}: is not an operator login`, Code.InvalidArgument);
  } else if (rule.operator === "required") {
    return denied(
      `${path} is a person's decision: the ${OPERATOR_VOUCHER} must name the operator (${OPERATOR_HEADER})`,
    );
  } else if (rule.mutates && caller.identity === OPERATOR_VOUCHER) {
    // The console changes things only for a logged-in person, whom the record must name.
    return denied(`the ${OPERATOR_VOUCHER} must name the operator it calls ${path} for (${OPERATOR_HEADER})`);
  }
  return undefined;
}
