/**
 * Work that failed for good after every retry (an async invocation, a schedule, a stream batch): in AWS the
 * failed-invocations SQS queue, locally the job table's dead jobs.
 */
export interface FailedWork {
  /** What replay names it by: the schedule name locally, the SQS message id in AWS. */
  readonly id: string;
  /** Which function it was for: `waiter`, `sender`, `importer`, `ses-events`, ... */
  readonly target: string;
  /** The event it carried, e.g. `{cartId, step}` for the sender. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly attempts: number;
  /** ISO time it was due, or failed. */
  readonly at: string;
  /** The last error, when the queue kept it. */
  readonly error?: string;
}
