import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandOutput,
  type StopReason,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { MessageRejected, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { BedrockPolisher } from '../../src/adapters/aws/bedrock-polisher';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../../src/adapters/aws/dynamodb-opt-outs';
import { DynamoDbReleaseQueue } from '../../src/adapters/aws/dynamodb-release-queue';
import { DynamoDbSendLedger } from '../../src/adapters/aws/dynamodb-send-ledger';
import { SesMailer } from '../../src/adapters/aws/ses-mailer';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import type { CartSnapshot } from '../../src/domain/cart/cart';
import { silentLog } from '../../src/ports/log';
import { fixedSendCapacity } from '../../src/ports/release';
import { NEW_ACCOUNT_CAPACITY, throttleQueueAt } from '../../src/domain/cart/release';
import type { SendDeferrals } from '../../src/ports/scheduler';
import type { SendLedger } from '../../src/ports/send-ledger';
import { ingestCartEvent } from '../../src/use-cases/ingest-cart-event';
import { sendReminder, type SenderDeps } from '../../src/use-cases/send-reminder';
import { freshTables } from '../support/dynamo';
import { RecordingScheduler } from '../support/recording-scheduler';
import { RecordingStats } from '../support/recording-stats';
import { fixedRules, fixedVoice } from '../../src/ports/owner-docs';
import { verifyUnsubscribeToken } from '../../src/domain/unsubscribe/token';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { isHeldBack } from '../../src/domain/cart/hold-back';
import { confirmSend } from '../../src/use-cases/confirm-send';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { seedCartSnapshot, seedReturnUrl } from '../../src/local/seed-cart';

const ses = mockClient(SESv2Client);
const bedrock = mockClient(BedrockRuntimeClient);
// 15:00 in New York, the default store zone: outside quiet hours.
const T = new Date('2026-11-02T20:00:00Z');

const converse = (text: string, stopReason: StopReason = 'end_turn'): ConverseCommandOutput => ({
  $metadata: {},
  output: { message: { role: 'assistant' as const, content: [{ text }] } },
  stopReason,
  usage: { inputTokens: 180, outputTokens: 22, totalTokens: 202 },
  metrics: { latencyMs: 420 },
});

describe('the sender against DynamoDB Local, with SES and Bedrock mocked', () => {
  let deps: SenderDeps;
  let time: number;
  let deferred: Array<{ cartId: string; step: string; at: Date; reason: string; retry?: number; releaseAt?: string }>;
  let withdrawn: Array<{ cartId: string; step: string; at: Date; reason: string }>;
  let addCart: (overrides?: Partial<CartSnapshot>) => Promise<void>;
  let ledger: DynamoDbSendLedger;
  let activity: DynamoDbActivityLog;
  let counters: DynamoDbStats;

  beforeEach(async () => {
    ses.reset();
    bedrock.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message-1' });
    bedrock.on(ConverseCommand).resolves(converse('Your linen shirt, candles and tote are still waiting for you.'));
    const { documents, names } = await freshTables();
    time = T.getTime();
    const clock = new ControllableClock(undefined, () => time);
    const carts = new DynamoDbCartStore(documents, names.carts);
    counters = new DynamoDbStats(documents, names.sends, async () => 'America/New_York');
    ledger = new DynamoDbSendLedger(documents, names, 90, counters);
    activity = new DynamoDbActivityLog(documents, names.sends, 90);
    deferred = [];
    withdrawn = [];
    const deferrals: SendDeferrals = {
      defer: async (request) => void deferred.push(request),
      withdraw: async (request) => void withdrawn.push(request),
    };
    deps = {
      carts,
      optOuts: new DynamoDbOptOutStore(documents, names.optouts),
      sends: ledger,
      deferrals,
      // A new account's 14 a second, 10 senders of half a second each: releases are paced at 0.9 x 14 = 12.6 a second.
      release: {
        queue: new DynamoDbReleaseQueue(documents, names.sends, 90),
        capacity: fixedSendCapacity({ ...NEW_ACCOUNT_CAPACITY, senderSecondsPerSend: 0.5, source: 'test' }),
      },
      polisher: new BedrockPolisher(new BedrockRuntimeClient({ region: 'us-east-1' }), {
        modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      }),
      mailer: new SesMailer(new SESv2Client({ region: 'us-east-1' }), { configurationSetName: 'cart-recovery' }),
      activity,
      stats: new RecordingStats(),
      rules: fixedRules(),
      voice: fixedVoice(),
      clock,
      log: silentLog,
      email: {
        from: 'reminders@store.example',
        replyTo: 'hello@store.example',
        unsubscribeBaseUrl: 'https://unsub.example.on.aws/',
        unsubscribeKey: 'a-test-unsubscribe-key-of-32-bytes!',
        unsubscribeMailto: 'mailto:unsubscribe@store.example?subject=unsubscribe',
      },
    };
    addCart = async (overrides = {}) => {
      await ingestCartEvent(
        {
          kind: 'cart_changed',
          eventId: `e-${overrides.cartId ?? 'c1'}`,
          occurredAt: new Date(T.getTime() - 3_600_000),
          source: 'generic',
          cart: seedCartSnapshot({ cartId: 'c1', returnUrl: seedReturnUrl('c1'), ...overrides }),
        },
        {
          carts,
          activity,
          scheduler: new RecordingScheduler(),
          rules: deps.rules,
          clock,
          log: silentLog,
          retentionDays: 90,
        },
      );
    };
    await addCart();
  });

  it('sends one SES email with both parts, the one-click headers and the polished line', async () => {
    const result = await sendReminder({ cartId: 'c1', step: 'first' }, deps);

    expect(result).toEqual({ outcome: 'sent', messageId: 'ses-message-1', polished: true });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      FromEmailAddress: '"Your Store" <reminders@store.example>',
      Destination: { ToAddresses: ['sam@example.com'] },
      ReplyToAddresses: ['hello@store.example'],
      ConfigurationSetName: 'cart-recovery',
    });
    const simple = input?.Content?.Simple;
    expect(simple?.Subject?.Data).toBe('Still thinking it over?');
    const [listUnsubscribe, listUnsubscribePost] = simple?.Headers ?? [];
    expect(listUnsubscribe?.Name).toBe('List-Unsubscribe');
    expect(listUnsubscribe?.Value).toMatch(
      /^<https:\/\/unsub\.example\.on\.aws\/u\/v2\.[\w-]+>, <mailto:unsubscribe@store\.example\?subject=unsubscribe>$/,
    );
    expect(listUnsubscribe?.Value?.length).toBeLessThanOrEqual(870); // SES's limit on a header value
    // The one-click token binds the address this email went to (sealed: it is not in the link).
    const oneClickToken = /\/u\/([\w.-]+)>/.exec(listUnsubscribe?.Value ?? '')?.[1] ?? '';
    expect(oneClickToken).not.toContain('sam');
    expect(verifyUnsubscribeToken(oneClickToken, 'a-test-unsubscribe-key-of-32-bytes!')).toEqual({
      ok: true,
      claims: { cartId: 'c1', scope: 'all', email: 'sam@example.com' },
    });
    expect(listUnsubscribePost).toEqual({ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' });
    for (const body of [simple?.Body?.Text?.Data ?? '', simple?.Body?.Html?.Data ?? '']) {
      expect(body).toContain('Your linen shirt, candles and tote are still waiting for you.');
      expect(body).toContain('$120.00');
      expect(body).toContain('https://shop.example.com/cart/c1');
      expect(body).toMatch(/https:\/\/unsub\.example\.on\.aws\/u\/v2\./);
    }
    expect(bedrock).toHaveReceivedCommandTimes(ConverseCommand, 1);
    expect(await ledger.find('c1', 'first')).toMatchObject({
      status: 'sent',
      messageId: 'ses-message-1',
      polished: true,
      email: 'sam@example.com',
    });
  });

  it.each([
    ['an error', () => bedrock.on(ConverseCommand).rejects(new ValidationException({ message: 'bad', $metadata: {} }))],
    [
      'throttling',
      () => bedrock.on(ConverseCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: {} })),
    ],
    [
      'a line with a link',
      () => bedrock.on(ConverseCommand).resolves(converse('Come back at https://evil.example now.')),
    ],
    ['a made-up discount', () => bedrock.on(ConverseCommand).resolves(converse('Take 20% off your cart today.'))],
    ['two sentences', () => bedrock.on(ConverseCommand).resolves(converse('Still here. Also buy more.'))],
    ['a cut-off answer', () => bedrock.on(ConverseCommand).resolves(converse('Your linen shirt is', 'max_tokens'))],
  ])('ships the plain line when Bedrock gives %s', async (_name, arrange) => {
    arrange();
    const result = await sendReminder({ cartId: 'c1', step: 'first' }, deps);

    expect(result).toEqual({ outcome: 'sent', messageId: 'ses-message-1', polished: false });
    const text = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '';
    expect(text).toContain(
      'Still thinking it over? Your cart is still here: Linen shirt, Candle ×2 and Tote, $120.00 in all.',
    );
    expect((await ledger.find('c1', 'first'))?.fallbackReason).toBeTruthy();
  });

  it('ships the plain line when Bedrock times out', async () => {
    bedrock.on(ConverseCommand).callsFake(() => new Promise(() => {}));
    const polisher = new BedrockPolisher(new BedrockRuntimeClient({ region: 'us-east-1' }), {
      modelId: 'm',
      timeoutMs: 50,
    });
    const result = await sendReminder({ cartId: 'c1', step: 'first' }, { ...deps, polisher });
    expect(result).toMatchObject({ outcome: 'sent', polished: false });
  });

  it('sends one email however many times it is invoked, one after another or at once', async () => {
    const request = { cartId: 'c1', step: 'first' } as const;
    const sequential = [
      await sendReminder(request, deps),
      await sendReminder(request, deps),
      await sendReminder(request, deps),
    ];
    expect(sequential.map((r) => r.outcome)).toEqual(['sent', 'duplicate', 'duplicate']);

    const concurrent = await Promise.all([1, 2, 3].map(() => sendReminder({ cartId: 'c1', step: 'second' }, deps)));
    expect(concurrent.filter((r) => r.outcome === 'sent')).toHaveLength(1);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
  });

  it(
    "defers a throttled send to its place in the next minute's paced queue (nothing went out), " +
      'and the deferred run sends it',
    async () => {
      ses
        .on(SendEmailCommand)
        .rejectsOnce(
          new TooManyRequestsException({
            message: 'Maximum sending rate exceeded',
            $metadata: { httpStatusCode: 429 },
          }),
        )
        .resolves({ MessageId: 'ses-2' });
      const first = await sendReminder({ cartId: 'c1', step: 'first' }, deps);
      expect(first).toMatchObject({ outcome: 'deferred', reason: 'throttled' });
      expect(await ledger.find('c1', 'first')).toBeUndefined();
      const retry = deferred.find((d) => d.reason === 'throttled');
      expect(retry?.retry).toBe(1);
      // The first place of the queue that starts at the next whole minute, and the queue travels with the retry.
      const queue = throttleQueueAt(new Date(time));
      expect(retry?.at).toEqual(queue);
      expect(retry?.releaseAt).toBe(queue.toISOString());
      expect((retry?.at.getTime() ?? 0) - time).toBeGreaterThanOrEqual(1_000);
      expect((retry?.at.getTime() ?? 0) - time).toBeLessThanOrEqual(60_000);
      time = retry?.at.getTime() ?? time;
      expect(await sendReminder({ cartId: 'c1', step: 'first', retry: 1 }, deps)).toMatchObject({
        outcome: 'sent',
        messageId: 'ses-2',
      });
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
      // Settled each time (a throttle sent nothing; then SES's answer):
      // both lease checks made before the sends are withdrawn.
      const leaseChecks = deferred.filter((d) => d.reason === 'lease');
      expect(leaseChecks).toHaveLength(2);
      expect(withdrawn).toEqual(leaseChecks.map(({ at }) => ({ cartId: 'c1', step: 'first', at, reason: 'lease' })));
    },
  );

  it(
    'holds a reminder while SES is in the sandbox (logged, ' +
      'claim given back, nothing refused) and sends it once the account is live',
    async () => {
      const sandbox = () =>
        new MessageRejected({
          message:
            'Email address is not verified. ' +
            'The following identities failed the check in region US-EAST-1: sam@example.com',
          $metadata: { httpStatusCode: 400 },
        });
      ses.on(SendEmailCommand).rejectsOnce(sandbox()).resolves({ MessageId: 'ses-live' });
      const held = await sendReminder({ cartId: 'c1', step: 'first' }, deps);
      expect(held).toEqual({ outcome: 'deferred', reason: 'sandbox', until: new Date(time + 3_600_000) });
      // Not refused for good: the claim is given back, so a later run may send it.
      expect(await ledger.find('c1', 'first')).toBeUndefined();
      const retry = deferred.find((d) => d.reason === 'sandbox');
      expect(retry).toMatchObject({ cartId: 'c1', step: 'first', retry: 1 });
      const entries = await activity.history('c1');
      const entry = entries.find((e) => e.action === 'deferred');
      expect(entry?.reason).toMatch(/^held: SES is still in the sandbox/);
      expect(entry?.details).toMatchObject({ reason: 'sandbox', code: 'MessageRejected' });
      expect(entries.some((e) => e.action === 'skipped')).toBe(false);

      time = retry?.at.getTime() ?? time;
      expect(await sendReminder({ cartId: 'c1', step: 'first', retry: 1 }, deps)).toMatchObject({
        outcome: 'sent',
        messageId: 'ses-live',
      });
    },
  );

  it('gives a sandbox hold up after a day, skipped with a reason that says what to do', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } }));
    expect(await sendReminder({ cartId: 'c1', step: 'first', retry: 24 }, deps)).toEqual({
      outcome: 'skipped',
      reason: 'ses_sandbox',
    });
    const skipped = (await activity.history('c1')).find((e) => e.action === 'skipped');
    expect(skipped?.reason).toMatch(/Request SES production access/);
    expect(await ledger.find('c1', 'first')).toBeUndefined();
  });

  it(
    'after a crash between SES accepting and the record, ' +
      "SES's SEND event settles it: no second email at the lease's end",
    async () => {
      const crashing: SendLedger = Object.assign(Object.create(ledger) as SendLedger, {
        complete: () => Promise.reject(new Error('process died')),
      });
      await expect(sendReminder({ cartId: 'c1', step: 'first' }, { ...deps, sends: crashing })).rejects.toThrow(
        'process died',
      );
      expect(await sendReminder({ cartId: 'c1', step: 'first' }, deps)).toEqual({ outcome: 'duplicate' });
      expect(
        await confirmSend(
          { cartId: 'c1', step: 'first', messageId: 'ses-message-1', at: new Date(time + 2_000) },
          { sends: ledger, carts: deps.carts, rules: deps.rules, log: silentLog },
        ),
      ).toBe('confirmed');
      const settle = deferred.find((d) => d.reason === 'lease');
      expect(settle).toBeDefined();
      time = settle?.at.getTime() ?? time;
      expect(await sendReminder({ cartId: 'c1', step: 'first' }, deps)).toEqual({ outcome: 'duplicate' });
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    },
  );

  it(
    'defers inside quiet hours to its place in the morning release, ' +
      "paced at the account's rate, and sends nothing",
    async () => {
      time = Date.parse('2026-11-03T03:30:00Z'); // 22:30 in New York
      const eight = '2026-11-03T13:00:00.000Z';
      const result = await sendReminder({ cartId: 'c1', step: 'first' }, deps);
      expect(result).toEqual({ outcome: 'deferred', reason: 'quiet_hours', until: new Date(eight) });
      expect(deferred).toEqual([
        { cartId: 'c1', step: 'first', at: new Date(eight), reason: 'quiet_hours', releaseAt: eight },
      ]);
      const entry = (await activity.history('c1')).find((e) => e.action === 'deferred');
      expect(entry?.details).toMatchObject({ reason: 'quiet_hours', place: 1, releaseAt: eight, perSecond: 12.6 });
      expect(entry?.details?.late).toBeUndefined();
      // 12.6 a second: places 1-13 share 08:00:00, the 14th is the first of 08:00:01, the 127th of 08:00:10.
      for (let i = 2; i <= 127; i++) await addCart({ cartId: `c${i}`, email: `shopper${i}@example.com` });
      const placed = [];
      for (let i = 2; i <= 127; i++) {
        const held = await sendReminder({ cartId: `c${i}`, step: 'first' }, deps);
        placed.push(held.outcome === 'deferred' ? (held.until.getTime() - Date.parse(eight)) / 1000 : -1);
      }
      expect(placed.slice(0, 12).every((second) => second === 0)).toBe(true);
      expect(placed[12]).toBe(1);
      expect(placed.at(-1)).toBe(10);
      const perSecond = new Map<number, number>();
      for (const second of [0, ...placed]) perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(13);
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    },
  );

  it(
    'sends a throttled reminder of a morning release to the tail of that release, ' + 'never into a crowded second',
    async () => {
      time = Date.parse('2026-11-03T03:30:00Z'); // 22:30 in New York: held for 08:00
      const eight = Date.parse('2026-11-03T13:00:00Z');
      for (let i = 2; i <= 40; i++) await addCart({ cartId: `c${i}`, email: `shopper${i}@example.com` });
      for (let i = 1; i <= 40; i++) await sendReminder({ cartId: `c${i}`, step: 'first' }, deps);
      const c1 = deferred.find((d) => d.cartId === 'c1' && d.reason === 'quiet_hours');
      expect(c1?.releaseAt).toBe(new Date(eight).toISOString());
      // 08:00: SES throttles c1's send; it re-joins the same release after the 40 already placed (place 41: 08:00:03).
      time = eight;
      ses.on(SendEmailCommand).rejectsOnce(
        new TooManyRequestsException({
          message: 'Maximum sending rate exceeded',
          $metadata: { httpStatusCode: 429 },
        }),
      );
      const result = await sendReminder({ cartId: 'c1', step: 'first', releaseAt: c1?.releaseAt }, deps);
      expect(result).toEqual({ outcome: 'deferred', reason: 'throttled', until: new Date(eight + 3_000) });
      expect(deferred.at(-1)).toMatchObject({
        cartId: 'c1',
        reason: 'throttled',
        retry: 1,
        releaseAt: new Date(eight).toISOString(),
      });
    },
  );

  it('says plainly when a morning does not fit: the place past noon is still sent, logged and counted', async () => {
    const stats = new RecordingStats();
    // One email a second, paced at 0.9: 08:00 to noon holds 12,961 places, and this cart is handed the 12,962nd.
    const capacity = fixedSendCapacity({
      sesMaxSendRate: 1,
      sesMax24HourSend: 50_000,
      senderConcurrency: 10,
      senderSecondsPerSend: 1,
      source: 'test',
    });
    const slow = {
      ...deps,
      stats,
      release: { queue: { take: async () => 12_962, size: async () => 12_962 }, capacity },
    };
    time = Date.parse('2026-11-03T03:30:00Z');
    const result = await sendReminder({ cartId: 'c1', step: 'first' }, slow);
    expect(result.outcome).toBe('deferred');
    const until = result.outcome === 'deferred' ? result.until : new Date(0);
    expect(until).toEqual(new Date('2026-11-03T17:00:01Z')); // 12:00:01 in New York
    const entry = (await activity.history('c1')).find((e) => e.action === 'deferred');
    expect(entry?.details).toMatchObject({ place: 12_962, late: 'past_noon' });
    expect(entry?.reason).toMatch(/does not fit the morning/);
    expect(stats.increments.map((i) => i.counter)).toContain('releaseLate');
  });

  it(
    "holds a reminder handed off before the owner's pause: " +
      'nothing sent or spent, and it goes out as the first once the pause lifts',
    async () => {
      const paused = {
        ...deps,
        rules: fixedRules({ ...DEFAULT_RULES, pause: { target: '', reason: 'stock-take', line: 7 } }),
      };
      const stats = deps.stats as RecordingStats;

      const held = await sendReminder({ cartId: 'c1', step: 'first' }, paused);

      expect(held).toEqual({ outcome: 'deferred', until: new Date(T.getTime() + 3_600_000), reason: 'owner_paused' });
      expect(deferred).toEqual([
        { cartId: 'c1', step: 'first', at: new Date(T.getTime() + 3_600_000), reason: 'owner_paused' },
      ]);
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
      // Not spent: no skip counted, no send recorded; the log says why it waits.
      expect(stats.counted('skipped')).toBe(0);
      expect((await deps.carts.get('c1'))?.firstSentAt).toBeUndefined();
      expect((await activity.history('c1')).at(-1)).toMatchObject({
        action: 'deferred',
        details: expect.objectContaining({ reason: 'owner_paused' }),
      });

      // The pause line goes: the held reminder goes out as the first.
      time += 3_600_000;
      expect(await sendReminder({ cartId: 'c1', step: 'first' }, deps)).toMatchObject({ outcome: 'sent' });
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    },
  );

  it("gives a held reminder up once the owner's pause outlasts the give-up window, with that reason", async () => {
    const paused = {
      ...deps,
      rules: fixedRules({ ...DEFAULT_RULES, pause: { target: '', reason: 'closed for winter' } }),
    };
    expect(await sendReminder({ cartId: 'c1', step: 'first' }, paused)).toMatchObject({
      outcome: 'deferred',
      reason: 'owner_paused',
    });
    time += DEFAULT_RULES.giveUpAfterMinutes * 60_000;

    expect(await sendReminder({ cartId: 'c1', step: 'first' }, paused)).toEqual({
      outcome: 'skipped',
      reason: 'paused',
    });
    expect((await activity.history('c1')).at(-1)?.reason).toContain('past the give-up window');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });

  it(
    'skips a shopper reminded about another cart within the do-not-disturb window, ' + "but not this cart's follow-up",
    async () => {
      await sendReminder({ cartId: 'c1', step: 'first' }, deps);
      await addCart({ cartId: 'c2', returnUrl: 'https://shop.example.com/cart/c2' });
      time += 20 * 3_600_000;

      expect(await sendReminder({ cartId: 'c2', step: 'first' }, deps)).toEqual({
        outcome: 'skipped',
        reason: 'do_not_disturb',
      });
      expect(await sendReminder({ cartId: 'c1', step: 'second' }, deps)).toMatchObject({ outcome: 'sent' });
      expect((await activity.history('c2')).map((e) => e.action)).toContain('skipped');
    },
  );

  it('skips a cart without an email, and one bought since the waiter woke', async () => {
    await addCart({ cartId: 'guest', email: undefined });
    expect(await sendReminder({ cartId: 'guest', step: 'first' }, deps)).toEqual({
      outcome: 'skipped',
      reason: 'no_address',
    });
    await ingestCartEvent(
      { kind: 'checked_out', eventId: 'o1', occurredAt: T, source: 'generic', match: { cartId: 'c1' } },
      {
        carts: deps.carts as DynamoDbCartStore,
        activity,
        scheduler: new RecordingScheduler(),
        rules: deps.rules,
        clock: deps.clock,
        log: silentLog,
        retentionDays: 90,
      },
    );
    expect(await sendReminder({ cartId: 'c1', step: 'first' }, deps)).toMatchObject({ outcome: 'skipped' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });

  it('sends only with consent when the rules say so: unknown consent is skipped, logged and counted', async () => {
    const stats = new RecordingStats();
    deps = { ...deps, stats, rules: fixedRules({ ...DEFAULT_RULES, sendOnlyWithConsent: true }) };
    await addCart({ cartId: 'unknown' });
    await addCart({ cartId: 'agreed', email: 'agreed@example.com', marketingConsent: true });

    expect(await sendReminder({ cartId: 'unknown', step: 'first' }, deps)).toEqual({
      outcome: 'skipped',
      reason: 'no_consent',
    });
    expect(await sendReminder({ cartId: 'agreed', step: 'first' }, deps)).toMatchObject({ outcome: 'sent' });

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(stats.increments.filter((i) => i.counter === 'skipped')).toEqual([
      expect.objectContaining({ counter: 'skipped', reason: 'no_consent' }),
    ]);
    expect((await activity.history('unknown')).find((entry) => entry.action === 'skipped')).toMatchObject({
      reason: 'shopper gave no marketing consent and the rules send only with consent',
      details: { gate: 3, skipReason: 'no_consent' },
    });
  });

  describe('what the cart row learns (attribution)', () => {
    it(
      'records the send on the cart row once SES accepted it; ' +
        'a retried or re-confirmed send writes and counts nothing more',
      async () => {
        await sendReminder({ cartId: 'c1', step: 'first' }, deps);
        const row = await deps.carts.get('c1');
        expect(row?.firstSentAt).toBe(T.toISOString());
        const again = await (deps.carts as DynamoDbCartStore).recordReminder('c1', {
          kind: 'sent',
          step: 'first',
          at: new Date(T.getTime() + 60_000),
          joinsHoldBack: false,
        });
        expect(again).toBeUndefined();
        expect((await deps.carts.get('c1'))?.firstSentAt).toBe(T.toISOString());
      },
    );

    it(
      'records nothing when SES refused; ' +
        "a checkout counts nothing on intake's path (the cart stream counts recoveries)",
      async () => {
        ses.on(SendEmailCommand).rejects(Object.assign(new Error('bad address'), { name: 'MessageRejected' }));
        await sendReminder({ cartId: 'c1', step: 'first' }, deps);
        expect((await deps.carts.get('c1'))?.firstSentAt).toBeUndefined();
        const stats = deps.stats as RecordingStats;
        const intake = {
          carts: deps.carts as DynamoDbCartStore,
          activity,
          stats,
          scheduler: new RecordingScheduler(),
          rules: deps.rules,
          clock: deps.clock,
          log: silentLog,
          retentionDays: 90,
        };
        await ingestCartEvent(
          {
            kind: 'checked_out',
            eventId: 'o1',
            occurredAt: new Date(T.getTime() + 60_000),
            source: 'generic',
            match: { cartId: 'c1' },
          },
          intake,
        );
        expect(stats.counted('recovered')).toBe(0);
        expect(await counters.month('2026-11')).toMatchObject({ recovered: 0, remindersFirst: 0 });
      },
    );

    it("a held-back cart gets no email, the skip says why, and the row joins the owner's comparison", async () => {
      const heldId = Array.from({ length: 200 }, (_, i) => `hb-${i}`).find((id) => isHeldBack(id, 10))!;
      await addCart({ cartId: heldId, email: 'held@example.com' });
      const result = await sendReminder(
        { cartId: heldId, step: 'first' },
        { ...deps, rules: fixedRules({ ...DEFAULT_RULES, holdBackPercent: 10 }) },
      );
      expect(result).toEqual({ outcome: 'skipped', reason: 'held_back' });
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
      expect((await deps.carts.get(heldId))?.holdBack).toEqual({ group: 'held_back', at: T.toISOString() });
      // Counted from that write by the cart counter (the stream), not on the sender's path.
      expect((deps.stats as RecordingStats).counted('heldBack')).toBe(0);
      // A first reminder sent while the hold-back is on puts the cart in the reminded group.
      await sendReminder(
        { cartId: 'c1', step: 'first' },
        { ...deps, rules: fixedRules({ ...DEFAULT_RULES, holdBackPercent: 10 }) },
      );
      expect((await deps.carts.get('c1'))?.holdBack).toEqual({ group: 'reminded', at: T.toISOString() });
    });
  });
});
