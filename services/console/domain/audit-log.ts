/** A line of the console's own audit log: what an operator did, to what, when. */
export interface AuditEntry {
  id: bigint;
  operatorId: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  at: Date;
}

/** An audit line to write: its id and time are given by the database. */
export interface NewAuditEntry {
  operatorId: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}
