import type { Migration } from "../../../lib/db.js";
import { paymentTables } from "./001_payments.js";

export const PAYMENT_SCHEMA = "payment";
export const paymentMigrations: readonly Migration[] = [paymentTables];
