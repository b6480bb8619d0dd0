import { type MessageTag, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../../ports/mailer';

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
 * Errors from SES are deliberately not caught: the caller must know whether SES accepted the message (throttles,
 * `MessageRejected`, a paused account) to decide between retrying and recording a skip.
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
    const response = await this.client.send(
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
    if (!response.MessageId) throw new Error('SES SendEmail returned no MessageId');
    return { messageId: response.MessageId };
  }
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
