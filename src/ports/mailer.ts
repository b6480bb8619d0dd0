/** A composed email ready to go: the sender decided everything, the mailer only delivers. */
export interface OutgoingEmail {
  readonly to: string;
  /** e.g. `"Ridge & Loom" <hello@ridgeandloom.com>` */
  readonly from: string;
  readonly replyTo?: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Extra headers in order, e.g. List-Unsubscribe then List-Unsubscribe-Post (RFC 8058). */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** For the local outbox and logs: which cart and step this is. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Delivers email: SES v2 in AWS, a file outbox locally. */
export interface Mailer {
  /** Resolves with the provider's message id once the provider accepted the message. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/**
 * What a failed send means for the message, as far as the provider let us know:
 * - `refused`: the provider rejected the request before any message existed (bad request, message rejected, account
 *   paused or suspended, identity not verified). Nothing went out. `retryLater` says whether the same request could
 *   succeed later without a change to the message (a paused account can resume; a rejected message stays rejected).
 * - `throttled`: over the provider's send rate or quota. Nothing went out; the same request succeeds a little later.
 * - `sandbox`: the provider refused because an address is not verified: the account is still in the SES sandbox
 *   (it sends only to verified recipients) or the sending identity is not verified yet. Nothing went out; the same
 *   request succeeds once the operator finishes setting the account up (`npm run doctor`), so it is held, not lost.
 * - `unknown`: the request may have reached the provider and the answer was lost (timeout, connection reset, a
 *   server error after the request left). The email may be out: it must never be resent blindly.
 */
export type MailFailureKind = 'refused' | 'throttled' | 'sandbox' | 'unknown';

/** A send that did not end in an accepted message; mailers throw it for every failure they can classify. */
export class MailError extends Error {
  override readonly name = 'MailError';

  constructor(
    readonly kind: MailFailureKind,
    /** The provider's error code (e.g. `MessageRejected`), for the log and the activity entry. */
    readonly code: string,
    message: string,
    /** For `refused`: the same request may succeed later. */
    readonly retryLater = false,
  ) {
    super(message);
  }
}
