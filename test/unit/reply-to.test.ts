/** A required reply address: checked when the sender starts, so "just reply to this email" always reaches a person. */
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, senderEnvSchema } from '../../src/composition/aws/environment';

const SENDER_ENV = {
  CR_CARTS_TABLE: 'cr-carts',
  CR_SENDS_TABLE: 'cr-sends',
  CR_OPTOUTS_TABLE: 'cr-optouts',
  CR_FROM_ADDRESS: 'reminders@mail.store.example',
  CR_REPLY_TO: 'owner@store.example',
  CR_OWNER_EMAIL: 'owner@store.example',
  CR_SES_CONFIGURATION_SET: 'cart-recovery',
  CR_UNSUBSCRIBE_BASE_URL: 'https://u.lambda-url.us-east-1.on.aws/',
  CR_UNSUBSCRIBE_KEY_PARAM: '/cart-recovery/unsubscribe-key',
  CR_BEDROCK_MODEL_ID: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  CR_SENDER_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:cart-recovery-sender',
  CR_SENDER_SECONDS_PER_SEND: '1',
  CR_SCHEDULE_GROUP: 'cart-recovery',
  CR_WAITER_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:cart-recovery-waiter',
  CR_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
  CR_SCHEDULER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:failed',
};

describe("the sender's reply address", () => {
  it('is required at cold start, with a message that names it and says what it is for', () => {
    expect(readConfig(senderEnvSchema, SENDER_ENV).CR_REPLY_TO).toBe('owner@store.example');
    const { CR_REPLY_TO: _, ...without } = SENDER_ENV;
    expect(() => readConfig(senderEnvSchema, without)).toThrow(ConfigError);
    expect(() => readConfig(senderEnvSchema, without)).toThrow(
      "CR_REPLY_TO: required (Reply-To address: the owner's inbox, where shopper replies go)",
    );
    expect(() => readConfig(senderEnvSchema, { ...SENDER_ENV, CR_REPLY_TO: 'not an address' })).toThrow(
      'CR_REPLY_TO: expected an email address (where shopper replies go)',
    );
  });
});
