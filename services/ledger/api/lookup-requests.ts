import { timestampDate, type FieldMask, type Timestamp } from "@bufbuild/protobuf/wkt";
import { invalidArgument } from "../../lib/errors.js";
import { requireLedgerId } from "../../contracts/accounting/accounts.js";

export const MAX_LOOKUP_IDS = 1000;
const MAX_PREFIXES = 20;

/** 1..1000 distinct transaction ids. */
export function requireTransactionIds(ids: string[]): string[] {
  if (ids.length === 0 || ids.length > MAX_LOOKUP_IDS) {
    throw invalidArgument("transaction_ids", `must hold 1 to ${MAX_LOOKUP_IDS} ids, got ${ids.length}`);
  }
  for (const [i, id] of ids.entries()) requireLedgerId(`transaction_ids[${i}]`, id);
  if (new Set(ids).size !== ids.length) throw invalidArgument("transaction_ids", "must not repeat an id");
  return ids;
}

function requireTime(field: string, value: Timestamp | undefined): Date {
  if (value === undefined) throw invalidArgument(field, "is required");
  return timestampDate(value);
}

/** At least `min` and at most 20 prefixes of ids or account codes. */
export function requirePrefixes(field: string, prefixes: string[], min: number): string[] {
  if (prefixes.length < min || prefixes.length > MAX_PREFIXES)
    throw invalidArgument(field, `must hold ${min} to ${MAX_PREFIXES} prefixes, got ${prefixes.length}`);
  return prefixes.map((prefix, i) => requireLedgerId(`${field}[${i}]`, prefix));
}

/** A time window and 1..20 id prefixes, for ListTransactionIds. */
export function requireWindow(req: { postedFrom?: Timestamp; postedBefore?: Timestamp; idPrefixes: string[] }) {
  const postedFrom = requireTime("posted_from", req.postedFrom);
  const postedBefore = requireTime("posted_before", req.postedBefore);
  if (postedBefore <= postedFrom) throw invalidArgument("posted_before", "must be after posted_from");
  return { postedFrom, postedBefore, idPrefixes: requirePrefixes("id_prefixes", req.idPrefixes, 1) };
}

export const TRANSACTION_FIELDS = ["description", "entries", "posted_at"] as const;
export type TransactionField = (typeof TRANSACTION_FIELDS)[number];

/** The Transaction fields a read mask asks for (all without one). */
export function requireReadMask(mask: FieldMask | undefined): ReadonlySet<TransactionField> {
  if (mask === undefined) return new Set(TRANSACTION_FIELDS);
  const fields = new Set<TransactionField>();
  for (const path of mask.paths) {
    if (path === "transaction_id") continue;
    if (!(TRANSACTION_FIELDS as readonly string[]).includes(path)) {
      throw invalidArgument(
        "read_mask",
        `"${path}" is not a field of Transaction (${["transaction_id", ...TRANSACTION_FIELDS].join(", ")})`,
      );
    }
    fields.add(path as TransactionField);
  }
  return fields;
}
