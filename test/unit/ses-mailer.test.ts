import {
  MessageRejected,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesMailer, sesTags } from '../../src/adapters/aws/ses-mailer';
import { MailError, type OutgoingEmail } from '../../src/ports/mailer';

const ses = mockClient(SESv2Client);
const mailer = () => new SesMailer(new SESv2Client({ region: 'us-east-1' }), { configurationSetName: 'cr-reminders' });

const unsubscribeHeader = '<https://u.example.com/u?token=abc>, <mailto:unsub@example.com?subject=unsubscribe>';
const email: OutgoingEmail = {
  to: 'sam@example.net',
  from: '"Ridge & Loom" <hello@ridgeandloom.com>',
  replyTo: 'owner@ridgeandloom.com',
  subject: 'Your cart is waiting — 2 items',
  html: '<p>Hi Sam,</p><p>Your cart is waiting.</p>',
  text: 'Hi Sam,\n\nYour cart is waiting.',
  headers: [
    { name: 'List-Unsubscribe', value: unsubscribeHeader },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ],
  tags: { cart: 'cart-1', step: '1' },
};

function sentInput() {
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  return calls[0]?.args[0].input;
}

describe('SES v2 mailer', () => {
  beforeEach(() => {
    ses.reset();
  });

  it(
    'sends Simple content with both body parts, ' +
      'the RFC 8058 headers in order, reply-to, configuration set and tags',
    async () => {
      ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message-1' });

      const result = await mailer().send(email);

      expect(result).toEqual({ messageId: 'ses-message-1' });
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
      const expected = {
        FromEmailAddress: '"Ridge & Loom" <hello@ridgeandloom.com>',
        Destination: { ToAddresses: ['sam@example.net'] },
        ReplyToAddresses: ['owner@ridgeandloom.com'],
        Content: {
          Simple: {
            Subject: { Data: 'Your cart is waiting — 2 items', Charset: 'UTF-8' },
            Body: {
              Text: { Data: 'Hi Sam,\n\nYour cart is waiting.', Charset: 'UTF-8' },
              Html: { Data: '<p>Hi Sam,</p><p>Your cart is waiting.</p>', Charset: 'UTF-8' },
            },
            Headers: [
              { Name: 'List-Unsubscribe', Value: unsubscribeHeader },
              { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
            ],
          },
        },
        ConfigurationSetName: 'cr-reminders',
        EmailTags: [
          { Name: 'cart', Value: 'cart-1' },
          { Name: 'step', Value: '1' },
        ],
      };
      expect(ses).toHaveReceivedCommandWith(SendEmailCommand, expected);
      // Exact shape: nothing extra (no ListManagementOptions, no Raw/Template content) rides along.
      expect(sentInput()).toStrictEqual(expected);
    },
  );

  it('leaves ReplyToAddresses out when the email has no reply-to', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message-2' });
    const { replyTo: _dropped, ...withoutReplyTo } = email;

    await mailer().send(withoutReplyTo);

    const input = sentInput();
    expect(input).not.toHaveProperty('ReplyToAddresses');
    expect(input?.Destination).toEqual({ ToAddresses: ['sam@example.net'] });
  });

  it('cleans tag names and values to the characters SES allows and cuts them to 256', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message-3' });

    await mailer().send({
      ...email,
      tags: { cart: 'gid://shopify/Cart/abc 123', 'step #': '2', store: 'Ridge & Loom', long: 'x'.repeat(300) },
    });

    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      EmailTags: [
        { Name: 'cart', Value: 'gid___shopify_Cart_abc_123' },
        { Name: 'step__', Value: '2' },
        { Name: 'store', Value: 'Ridge___Loom' },
        { Name: 'long', Value: 'x'.repeat(256) },
      ],
    });
  });

  it('drops tags that clean to nothing or collide, rather than have SES refuse the message', () => {
    expect(sesTags({ '': 'x', empty: '', 'a:b': '1', a_b: '2' })).toEqual([{ Name: 'a_b', Value: '1' }]);
    for (const tag of sesTags({ 'ünïcode ✓': 'välue ✓', plain: 'ok' })) {
      expect(tag.Name).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      expect(tag.Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    }
  });

  it('throws when SES answers without a MessageId, so the send is not recorded as accepted', async () => {
    ses.on(SendEmailCommand).resolves({});
    await expect(mailer().send(email)).rejects.toThrow('SES SendEmail returned no MessageId');
  });

  it(
    'says what each SES answer means for the message: throttled, ' +
      'sandbox, refused (for now or for good), or unknown',
    async () => {
      const answered = (status: number) => ({ httpStatusCode: status });
      ses
        .on(SendEmailCommand)
        .rejectsOnce(
          new TooManyRequestsException({ message: 'Maximum sending rate exceeded', $metadata: answered(429) }),
        )
        .rejectsOnce(
          new MessageRejected({
            message:
              'Email address is not verified. ' +
              'The following identities failed the check in region US-EAST-1: sam@example.net',
            $metadata: answered(400),
          }),
        )
        .rejectsOnce(new MessageRejected({ message: 'Illegal address', $metadata: answered(400) }))
        .rejectsOnce(
          new SendingPausedException({ message: 'Sending is paused for this account', $metadata: answered(400) }),
        )
        .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
        .rejectsOnce(new MessageRejected({ message: 'no status: never seen on the wire', $metadata: {} }))
        .rejectsOnce(
          Object.assign(new Error('We encountered an internal error'), {
            name: 'InternalFailure',
            $metadata: answered(500),
          }),
        );

      const outcome = async () => {
        const error = await mailer()
          .send(email)
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(MailError);
        const { kind, code, retryLater } = error as MailError;
        return { kind, code, retryLater };
      };
      expect(await outcome()).toEqual({ kind: 'throttled', code: 'TooManyRequestsException', retryLater: false });
      // The SES sandbox (or an unverified sending identity): held until the account is ready, never refused for good.
      expect(await outcome()).toEqual({ kind: 'sandbox', code: 'MessageRejected', retryLater: true });
      expect(await outcome()).toEqual({ kind: 'refused', code: 'MessageRejected', retryLater: false });
      expect(await outcome()).toEqual({ kind: 'refused', code: 'SendingPausedException', retryLater: true });
      expect(await outcome()).toEqual({ kind: 'unknown', code: 'TimeoutError', retryLater: false });
      expect(await outcome()).toEqual({ kind: 'unknown', code: 'MessageRejected', retryLater: false });
      expect(await outcome()).toEqual({ kind: 'unknown', code: 'InternalFailure', retryLater: false });
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 7);
    },
  );
});
