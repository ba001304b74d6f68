import type { Migration } from "../../../lib/db.js";

export const riskTables: Migration = {
  name: "001_risk_tables",
  async up(db) {
    await db.schema.createTable("risk_assessments", (t) => {
      t.text("payment_id").primary();
      t.text("buyer_id").notNullable();
      t.text("buyer_country").notNullable();
      t.specificType("currency", "char(3)").notNullable();
      t.bigInteger("amount_minor").notNullable();
      t.text("decision").notNullable();
      t.jsonb("reasons").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.index(["buyer_id", "created_at"]);
    });
    await db.raw("alter table risk_assessments add constraint amount_positive check (amount_minor > 0)");
    await db.raw(
      "alter table risk_assessments add constraint decision_known check (decision in ('APPROVE', 'REVIEW', 'REJECT'))",
    );
    await db.schema.createTable("blocked_buyers", (t) => {
      t.text("buyer_id").primary();
      t.text("reason").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
  },
  async down(db) {
    await db.schema.dropTable("blocked_buyers");
    await db.schema.dropTable("risk_assessments");
  },
};
