import type { Migration } from "../../../lib/db.js";

/** Login throttling reads a login's recent attempts from the audit log. */
export const loginIndex: Migration = {
  name: "002_login_index",
  async up(db) {
    await db.raw("create index audit_log_logins on audit_log (target, at) where action in ('login', 'login_failed')");
  },
  async down(db) {
    await db.raw("drop index audit_log_logins");
  },
};
