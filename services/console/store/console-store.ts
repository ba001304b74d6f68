import type { Knex } from "knex";
import type { Db } from "../../lib/db.js";
import { isUniqueViolation } from "../../lib/db.js";
import type { FailureCount } from "../domain/login-throttle.js";
import type { AuditEntry, NewAuditEntry } from "../domain/audit-log.js";
import {
  hashPassword,
  type ListedOperator,
  newToken,
  passwordMatches,
  tokenHash,
  type Operator,
  type Role,
} from "../domain/operators.js";

interface OperatorRow {
  id: string;
  display_name: string;
  role: Role;
  password_salt: Buffer;
  password_hash: Buffer;
  disabled_at: Date | null;
}

const toOperator = (row: { id: string; display_name: string; role: Role }): Operator => ({
  id: row.id,
  displayName: row.display_name,
  role: row.role,
});

export class OperatorExistsError extends Error {}

export class ConsoleStore {
  /** `now` stamps the audit log, so that login throttling reads times from the clock it judges by. */
  constructor(
    private readonly db: Db,
    private readonly sessionTtlMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates the operator, or sets its name, role and password and enables it when it exists (the bootstrap of `admin`). */
  async upsertOperator(operator: Operator, password: string): Promise<void> {
    const { salt, hash } = await hashPassword(password);
    await this.db("operators")
      .insert({
        id: operator.id,
        display_name: operator.displayName,
        role: operator.role,
        password_salt: salt,
        password_hash: hash,
      })
      .onConflict("id")
      .merge({
        display_name: operator.displayName,
        role: operator.role,
        password_salt: salt,
        password_hash: hash,
        disabled_at: null,
        updated_at: this.db.fn.now(),
      });
  }

  /** Creates a new operator and audits it in one transaction; an existing login is OperatorExistsError. */
  async createOperator(operator: Operator, password: string, audit: NewAuditEntry): Promise<void> {
    const { salt, hash } = await hashPassword(password);
    try {
      await this.db.transaction(async (trx) => {
        await trx("operators").insert({
          id: operator.id,
          display_name: operator.displayName,
          role: operator.role,
          password_salt: salt,
          password_hash: hash,
        });
        await trx("audit_log").insert(this.auditRow(audit));
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new OperatorExistsError(`operator "${operator.id}" exists already`);
      throw err;
    }
  }

  async listOperators(): Promise<ListedOperator[]> {
    const rows: Pick<OperatorRow, "id" | "display_name" | "role" | "disabled_at">[] = await this.db("operators")
      .orderBy("id")
      .select("id", "display_name", "role", "disabled_at");
    return rows.map((row) => ({ ...toOperator(row), ...(row.disabled_at && { disabledAt: row.disabled_at }) }));
  }

  /**
   * Disables an active operator and ends every session of theirs, audited in the same transaction (with the
   * number of sessions ended). Undefined when there is no such active operator.
   */
  async disableOperator(
    id: string,
    audit: Omit<NewAuditEntry, "target" | "details">,
  ): Promise<{ sessionsEnded: number } | undefined> {
    return this.db.transaction(async (trx) => {
      const disabled = await trx("operators")
        .where({ id })
        .whereNull("disabled_at")
        .update({ disabled_at: this.now(), updated_at: trx.fn.now() });
      if (disabled === 0) return undefined;
      const sessionsEnded = await trx("sessions").where({ operator_id: id }).delete();
      await trx("audit_log").insert(
        this.auditRow({ ...audit, target: id, details: { sessions_ended: sessionsEnded } }),
      );
      return { sessionsEnded };
    });
  }

  /** The operator whose login and password these are, or undefined. */
  async authenticate(id: string, password: string): Promise<Operator | undefined> {
    const row: OperatorRow | undefined = await this.db("operators").where({ id }).first();
    if (!row) {
      // Spend the same time as a wrong password, so that timing does not say which logins exist.
      await passwordMatches(password, { salt: Buffer.alloc(16), hash: Buffer.alloc(64) });
      return undefined;
    }
    // A disabled operator is checked all the same, so that timing does not say they are disabled either.
    const matches = await passwordMatches(password, { salt: row.password_salt, hash: row.password_hash });
    return matches && row.disabled_at === null ? toOperator(row) : undefined;
  }

  /**
   * Runs `attempt` for one login at a time across every console instance (a lock bound to a transaction, which
   * the store given to `attempt` works in): parallel guesses are counted one after another, so none slips past the
   * throttle.
   */
  async oneLoginAtATime<T>(login: string, attempt: (store: ConsoleStore) => Promise<T>): Promise<T> {
    return this.db.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(hashtext(?))", [`console login ${login}`]);
      return attempt(new ConsoleStore(trx, this.sessionTtlMs, this.now));
    });
  }

  /**
   * The failed logins after `since` and after the last successful one, of one login, from one client, or both (the
   * client as audited in the details of `login` and `login_failed`).
   */
  async failedLogins(scope: { login?: string; client?: string }, since: Date): Promise<FailureCount> {
    const inScope = (query: Knex.QueryBuilder) => {
      if (scope.login !== undefined) query.where("target", scope.login);
      if (scope.client !== undefined) query.whereRaw("details->>'client' = ?", [scope.client]);
      return query;
    };
    const lastSuccess = inScope(this.db("audit_log").where("action", "login").max("at"));
    const row: { count: number; latest: Date | null } = await inScope(
      this.db("audit_log").where("action", "login_failed"),
    )
      .where("at", ">", since)
      .whereRaw("at > coalesce((?), '-infinity')", [lastSuccess])
      .first(this.db.raw("count(*)::int as count"), this.db.raw("max(at) as latest"));
    return { count: row.count, latest: row.latest ?? undefined };
  }

  /** Opens a session; returns the token for the cookie (only its hash is stored). */
  async openSession(operatorId: string): Promise<string> {
    const token = newToken();
    await this.db("sessions").insert({
      token_hash: tokenHash(token),
      operator_id: operatorId,
      expires_at: new Date(Date.now() + this.sessionTtlMs),
    });
    // Expired sessions of anyone go at each login: the table stays small without a sweeper.
    await this.db("sessions").where("expires_at", "<", this.db.fn.now()).delete();
    return token;
  }

  /** The operator of an unexpired session, or undefined (also once the operator is disabled). */
  async sessionOperator(token: string): Promise<Operator | undefined> {
    const row = await this.db("sessions")
      .join("operators", "operators.id", "sessions.operator_id")
      .where("sessions.token_hash", tokenHash(token))
      .andWhere("sessions.expires_at", ">", this.db.fn.now())
      .whereNull("operators.disabled_at")
      .first("operators.id", "operators.display_name", "operators.role");
    return row ? toOperator(row) : undefined;
  }

  async closeSession(token: string): Promise<void> {
    await this.db("sessions")
      .where({ token_hash: tokenHash(token) })
      .delete();
  }

  async audit(entry: NewAuditEntry): Promise<void> {
    await this.db("audit_log").insert(this.auditRow(entry));
  }

  /** Newest first, `limit` rows with an id below `beforeId` when given. */
  async listAudit(options: { limit: number; beforeId?: bigint; operatorId?: string }): Promise<AuditEntry[]> {
    const query = this.db("audit_log").orderBy("id", "desc").limit(options.limit);
    if (options.beforeId !== undefined) query.where("id", "<", options.beforeId.toString());
    if (options.operatorId) query.where("operator_id", options.operatorId);
    const rows: {
      id: bigint;
      operator_id: string;
      action: string;
      target: string;
      details: Record<string, unknown>;
      at: Date;
    }[] = await query.select();
    return rows.map((r) => ({
      id: r.id,
      operatorId: r.operator_id,
      action: r.action,
      target: r.target,
      details: r.details,
      at: r.at,
    }));
  }

  private auditRow(entry: NewAuditEntry) {
    return {
      operator_id: entry.operatorId,
      action: entry.action,
      target: entry.target ?? "",
      details: JSON.stringify(entry.details ?? {}),
      at: this.now(),
    };
  }
}
