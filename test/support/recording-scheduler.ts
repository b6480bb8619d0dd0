import type { WakeUp, WakeUpScheduler } from '../../src/ports/scheduler';

/** Wraps a scheduler and records every call, so tests can count Scheduler traffic. */
export class RecordingScheduler implements WakeUpScheduler {
  readonly scheduled: WakeUp[] = [];
  readonly cancelled: Array<{ cartId: string; seq: number }> = [];

  constructor(private readonly inner?: WakeUpScheduler) {}

  async schedule(wakeUp: WakeUp): Promise<void> {
    this.scheduled.push(wakeUp);
    await this.inner?.schedule(wakeUp);
  }

  async cancel(cartId: string, seq: number): Promise<void> {
    this.cancelled.push({ cartId, seq });
    await this.inner?.cancel(cartId, seq);
  }

  get calls(): number {
    return this.scheduled.length + this.cancelled.length;
  }
}
