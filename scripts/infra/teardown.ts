/** Closes what was started, last first, all of it even when a step fails; then throws the first failure. */
export class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];

  add<T>(started: T, close: (started: T) => Promise<void>): T {
    this.steps.push(() => close(started));
    return started;
  }

  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) await step().catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  }
}
