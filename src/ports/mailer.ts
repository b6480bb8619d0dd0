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
