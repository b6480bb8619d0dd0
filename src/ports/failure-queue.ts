import type { FailedWork } from '../domain/operations/failed-work';

/** The failure queue: list what landed there and run it again. */
export interface FailureQueue {
  list(): Promise<FailedWork[]>;
  /** Runs the work again with its original event; false when no such failed work is there (any more). */
  replay(id: string): Promise<boolean>;
}

/**
 * Thrown by {@link FailureQueue.replay} for failed work it lists but cannot run again itself (a cart-stream position:
 * the records are in the stream, not in the queue). Its message says what to do instead; the work stays queued.
 */
export class ReplayRefusedError extends Error {
  override readonly name = 'ReplayRefusedError';
}
