import { AuditService } from "../../../gen/audit/v1/audit_pb.js";
import { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import { IDENTITIES } from "../tls/identity.js";
import { definePolicy } from "./policy.js";

/** What every server of the platform also serves: health checks for any identity, its audit records for people. */
export const commonPolicies = [
  definePolicy(Health, {
    check: { callers: IDENTITIES, mutates: false },
    watch: { callers: IDENTITIES, mutates: false },
  }),
  definePolicy(AuditService, {
    listAuditRecords: { callers: ["console", "operator-tools"], mutates: false },
  }),
];
