import {
  type MessageTag,
  SendEmailCommand,
  type SendEmailCommandOutput,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { MailError, type Mailer, type OutgoingEmail } from '../../ports/mailer';

/** Options for {@link SesMailer}. */
export interface SesMailerOptions {
  /** Configuration set that routes bounces, complaints and deliveries to their event destinations. */
  readonly configurationSetName: string;
}

/** SES allows only these characters in message tag names and values. */
const TAG_DISALLOWED = /[^A-Za-z0-9_-]/g;
/** SES limit for a message tag name or value. */
const TAG_MAX_LENGTH = 256;
const CHARSET = 'UTF-8';

/**
 * Delivers email through SES v2 `SendEmail` with `Simple` content: SES assembles the MIME from subject, text and HTML,
 * and our own headers (List-Unsubscribe, then List-Unsubscribe-Post for RFC 8058 one-click) go in `Headers` in the
 * order the composer chose. Tags become SES message tags, so the configuration set's events carry cart and step.
 *
 * Every failure is thrown as a {@link MailError} that says what it means for the message ({@link classifySesError}):
 * the caller decides between recording a skip, deferring, and waiting for SES's own record of the send. The client
 * must make one attempt only (`AWS_CLIENT_POLICY.ses`): an SDK retry after a lost answer would send a second copy.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  /**
   * Sends one email.
   * @returns the SES message id.
   * @throws whatever SES throws, unchanged; or an Error if SES answers without a message id (then we cannot tell
   *   whether the message was accepted, so it must not be recorded as sent).
   */
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    let response: SendEmailCommandOutput;
    try {
      response = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: [email.to] },
          ...(email.replyTo ? { ReplyToAddresses: [email.replyTo] } : {}),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: CHARSET },
              Body: {
                Text: { Data: email.text, Charset: CHARSET },
                Html: { Data: email.html, Charset: CHARSET },
              },
              Headers: email.headers.map(({ name, value }) => ({ Name: name, Value: value })),
            },
          },
          ConfigurationSetName: this.options.configurationSetName,
          EmailTags: sesTags(email.tags),
        }),
      );
    } catch (error) {
      throw classifySesError(error);
    }
    // Accepted, but no id to record it by: SES's own SEND event settles it.
    if (!response.MessageId) throw new MailError('unknown', 'NoMessageId', 'SES SendEmail returned no MessageId');
    return { messageId: response.MessageId };
  }
}

/** SES v2 `SendEmail` errors that mean the request was refused before any message existed. */
const REFUSED: Readonly<Record<string, { retryLater: boolean }>> = {
  MessageRejected: { retryLater: false },
  BadRequestException: { retryLater: false },
  AccountSuspendedException: { retryLater: false },
  // The account or the configuration set was paused (by the owner, or by SES for its reputation); it may resume.
  SendingPausedException: { retryLater: true },
  MailFromDomainNotVerifiedException: { retryLater: true },
  // The configuration set is missing: a deploy problem that a fix makes good.
  NotFoundException: { retryLater: true },
};

/** Over the send rate or the daily quota: nothing was sent. */
const THROTTLED = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException', 'Throttling']);

/**
 * SES's `MessageRejected` text when an address fails verification: in the sandbox every recipient must be verified
 * ("Email address is not verified. The following identities failed the check in region US-EAST-1: ..."), and out of
 * it the sending identity must be.
 */
const NOT_VERIFIED = /not verified|failed the check/i;

/**
 * What an SES error means for the message. Only an answer SES actually gave can say "refused" or "throttled": any
 * other failure (a timeout, a reset connection, a 5xx, an unreadable answer) may have come after SES accepted the
 * message, so it is `unknown`.
 */
export function classifySesError(error: unknown): MailError {
  if (error instanceof MailError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const refused = REFUSED[name];
  const answered = status !== undefined && status >= 400 && status < 500;
  // The account is not set up to send this yet (sandbox or unverified identity): hold it rather than lose it.
  if (name === 'MessageRejected' && answered && NOT_VERIFIED.test(message))
    return new MailError('sandbox', name, message, true);
  // A 4xx is SES's refusal of the request; a named refusal with no status was not seen on the wire, so stay careful.
  if (refused && status !== undefined && status >= 400 && status < 500)
    return new MailError('refused', name, message, refused.retryLater);
  if (THROTTLED.has(name) && status !== undefined && status >= 400 && status < 500)
    return new MailError('throttled', name, message);
  return new MailError('unknown', name, message);
}

/**
 * Our tags as SES message tags: characters SES refuses become `_`, both sides are cut to 256 characters, and a tag
 * whose name or value ends up empty (or whose name repeats after cleaning) is left out. Tags only label delivery
 * events, so dropping an unusable one beats having SES reject the whole message.
 */
export function sesTags(tags: Readonly<Record<string, string>>): MessageTag[] {
  const result: MessageTag[] = [];
  const seen = new Set<string>();
  for (const [rawName, rawValue] of Object.entries(tags)) {
    const name = sanitiseTagPart(rawName);
    const value = sanitiseTagPart(rawValue);
    if (name === '' || value === '' || seen.has(name)) continue;
    seen.add(name);
    result.push({ Name: name, Value: value });
  }
  return result;
}

function sanitiseTagPart(text: string): string {
  return text.replace(TAG_DISALLOWED, '_').slice(0, TAG_MAX_LENGTH);
}
