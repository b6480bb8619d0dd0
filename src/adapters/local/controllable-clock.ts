import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../ports/clock';

/**
 * Real time plus an offset that only ever grows, like a Stripe test clock: the local system runs on real time
 * until someone advances it, and a whole cart lifecycle then plays in seconds. With a state file the offset
 * survives restarts, so simulated time never runs backwards over data written earlier.
 */
export class ControllableClock implements Clock {
  private offsetMs: number;

  constructor(
    private readonly stateFile?: string,
    private readonly realNow: () => number = Date.now,
  ) {
    this.offsetMs = stateFile ? readOffset(stateFile) : 0;
  }

  now(): Date {
    return new Date(this.realNow() + this.offsetMs);
  }

  /** Moves simulated time forward; time never goes back. */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
    this.save();
    return this.now();
  }

  /** Moves simulated time to `at`, or leaves it if `at` is already past. */
  advanceTo(at: Date): Date {
    return this.advance(Math.max(0, at.getTime() - this.now().getTime()));
  }

  private save(): void {
    if (this.stateFile) {
      mkdirSync(dirname(this.stateFile), { recursive: true });
      writeFileSync(this.stateFile, JSON.stringify({ offsetMs: this.offsetMs }));
    }
  }

  /** How far simulated time is ahead of real time. */
  get aheadByMs(): number {
    return this.offsetMs;
  }
}

function readOffset(file: string): number {
  try {
    const { offsetMs } = JSON.parse(readFileSync(file, 'utf8')) as { offsetMs?: unknown };
    return typeof offsetMs === 'number' && offsetMs >= 0 ? offsetMs : 0;
  } catch {
    return 0;
  }
}
