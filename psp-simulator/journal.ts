import type { Clock } from "./clock.js";
import { addTo, type Movement, type MovementDraft } from "./movements.js";

/** Every money movement on the merchant's balance, each stamped with the simulator time it happened at. */
export class Journal {
  private readonly movements: Movement[] = [];

  constructor(private readonly clock: Clock) {}

  record(drafts: readonly MovementDraft[]): void {
    const time = this.clock.eventTime();
    for (const draft of drafts) this.movements.push({ ...draft, time });
  }

  /** The movements in [start, end), in time order (those at the same time in the order they happened). */
  during(start: number, end: number): Movement[] {
    // Not always recorded in time order: a due action run a few ms late by its timer is stamped with its due time.
    return this.movements.filter((m) => m.time >= start && m.time < end).sort((a, b) => a.time - b.time);
  }

  /** The balance per currency after everything before `time`, for every currency that has moved by then. */
  balancesBefore(time: number): Map<string, number> {
    const balances = new Map<string, number>();
    for (const movement of this.movements) if (movement.time < time) addTo(balances, movement);
    return balances;
  }
}
