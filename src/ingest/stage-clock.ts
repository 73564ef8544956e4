const STAGES = ['read', 'dedup', 'embed', 'load', 'index'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Busy time per stage. Stages overlap (reading and loading while embedding), so each
 * stage counts wall time during which at least one of its operations was running.
 */
export class StageClock {
  private readonly busy = new Map<Stage, number>();
  private readonly active = new Map<Stage, { count: number; since: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  async time<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
    this.start(stage);
    try {
      return await work();
    } finally {
      this.stop(stage);
    }
  }

  start(stage: Stage): void {
    const a = this.active.get(stage) ?? { count: 0, since: 0 };
    if (a.count === 0) a.since = this.now();
    a.count++;
    this.active.set(stage, a);
  }

  stop(stage: Stage): void {
    const a = this.active.get(stage);
    if (!a || a.count === 0) return;
    a.count--;
    if (a.count === 0) this.busy.set(stage, (this.busy.get(stage) ?? 0) + this.now() - a.since);
  }

  seconds(): Record<Stage, number> {
    return Object.fromEntries(STAGES.map((s) => [s, (this.busy.get(s) ?? 0) / 1000])) as Record<Stage, number>;
  }
}
