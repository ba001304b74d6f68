/**
 * Rows for one table, inserted by as few statements as their callers' concurrency allows (group commit): a row that
 * arrives while an insert is under way goes with every other row that arrived meanwhile, in the next one. A row alone
 * is inserted at once, so no caller waits for company. When a group fails, its rows are inserted one by one, so that
 * one bad row never fails its neighbours.
 */
export class GroupInsert<Row> {
  private queued: { row: Row; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private draining = false;

  constructor(
    private readonly write: (rows: Row[]) => Promise<void>,
    private readonly maxRows = 500,
  ) {}

  /** Resolves once the row is committed; rejects with its own insert's error. */
  insert(row: Row): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ row, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queued.length > 0) {
      const group = this.queued.splice(0, this.maxRows);
      try {
        await this.write(group.map((g) => g.row));
        for (const g of group) g.resolve();
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err);
        else await Promise.all(group.map((g) => this.write([g.row]).then(g.resolve, g.reject)));
      }
    }
    this.draining = false;
  }
}
