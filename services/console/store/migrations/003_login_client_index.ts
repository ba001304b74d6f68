import type { Migration } from "../../../lib/db.js";

/** Login throttling also counts a client's recent attempts (the address in the audit entry's details). */
export const loginClientIndex: Migration = {
  name: "003_login_client_index",
  async up(db) {
    await db.raw(
      "create index audit_log_login_clients on audit_log ((details->>'client'), at) where action in ('login', 'login_failed')",
    );
  },
  async down(db) {
    await db.raw("drop index audit_log_login_clients");
  },
};
