import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbSendLedger } from '../../src/adapters/aws/dynamodb-send-ledger';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { SECOND_COPY_LOG_MESSAGE } from '../../src/resources/log-signals';
import { DynamoDbOptOutStore } from '../../src/adapters/aws/dynamodb-opt-outs';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { createSesEventsHandler } from '../../src/handlers/ses-events';
import { confirmSend } from '../../src/use-cases/confirm-send';
import { sentFacts, settleSentWrite } from '../../src/use-cases/record-sent';
import { silentLog } from '../../src/ports/log';
import { freshTables } from '../support/dynamo';
import { ingestOpenCarts } from '../support/open-carts';
import { RecordingStats } from '../support/recording-stats';
import { fixedRules } from '../../src/ports/owner-docs';

const T = new Date('2026-11-02T20:00:00Z');

/** An SES event as EventBridge delivers it from a configuration set's event destination. */
function sesEvent(detail: Record<string, unknown>) {
  return {
    version: '0',
    'detail-type': detail.eventType === 'Complaint' ? 'Email Complaint Received' : 'Email Bounced',
    source: 'aws.ses',
    detail: {
      mail: { messageId: 'm1', destination: ['sam@example.com'], tags: { cart: ['c1'], step: ['first'] } },
      ...detail,
    },
  };
}

describe('SES feedback becomes opt-outs', () => {
  let handler: ReturnType<typeof createSesEventsHandler>;
  let carts: DynamoDbCartStore;
  let optOuts: DynamoDbOptOutStore;

  let ledger: DynamoDbSendLedger;
  let activityLog: DynamoDbActivityLog;
  let counters: DynamoDbStats;

  beforeEach(async () => {
    const { documents, names } = await freshTables();
    const clock = new ControllableClock(undefined, () => T.getTime());
    carts = new DynamoDbCartStore(documents, names.carts);
    optOuts = new DynamoDbOptOutStore(documents, names.optouts);
    const activity = new DynamoDbActivityLog(documents, names.sends, 90);
    activityLog = activity;
    counters = new DynamoDbStats(documents, names.sends, async () => 'America/New_York');
    ledger = new DynamoDbSendLedger(documents, names, 90, counters);
    handler = createSesEventsHandler({
      sends: ledger,
      carts,
      optOuts,
      activity,
      stats: new RecordingStats(),
      rules: fixedRules(),
      clock,
      log: silentLog,
    });
    await ingestOpenCarts(['c1', 'c2'], { carts, activity, clock }, { at: T });
  });

  it('turns a complaint into a permanent stop of every reminder to that address', async () => {
    expect(
      await handler(
        sesEvent({
          eventType: 'Complaint',
          complaint: { complainedRecipients: [{ emailAddress: 'Sam@Example.com' }] },
        }),
      ),
    ).toEqual({ suppressed: 1 });
    expect(await optOuts.find('sam@example.com', 'any')).toBe('all');
    expect(await carts.get('c1')).toMatchObject({
      status: 'stopped',
      stopReason: 'the shopper marked a reminder as spam',
    });
    expect((await carts.get('c2'))?.status).toBe('stopped');
  });

  it('turns a permanent bounce into a stop, and only logs a transient one', async () => {
    expect(
      await handler(
        sesEvent({
          eventType: 'Bounce',
          bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'sam@example.com' }] },
        }),
      ),
    ).toEqual({ suppressed: 0 });
    expect(await optOuts.find('sam@example.com', 'c1')).toBeUndefined();
    expect(
      await handler(
        sesEvent({
          eventType: 'Bounce',
          bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'sam@example.com' }] },
        }),
      ),
    ).toEqual({ suppressed: 1 });
    expect(await carts.get('c1')).toMatchObject({ status: 'stopped', stopReason: 'the address bounced permanently' });
  });

  it('ignores deliveries, and fails loudly on an event it cannot read', async () => {
    expect(await handler(sesEvent({ eventType: 'Delivery' }))).toEqual({ suppressed: 0 });
    await expect(handler({ detail: 'nonsense' })).rejects.toThrow('SES event not understood at detail');
    expect((await carts.get('c1'))?.status).toBe('open');
  });

  it("records a send on the cart row when only SES's SEND event knows it (the answer was lost), once", async () => {
    await ledger.claim({
      cartId: 'c1',
      step: 'first',
      email: 'sam@example.com',
      attempt: 'a1',
      now: T,
      leaseUntil: new Date(T.getTime() + 900_000),
      quietSince: new Date(0),
    });
    const deps = { sends: ledger, carts, rules: fixedRules(), log: silentLog };
    const sentAt = new Date(T.getTime() + 2_000);
    expect(await confirmSend({ cartId: 'c1', step: 'first', messageId: 'm-1', at: sentAt }, deps)).toBe('confirmed');
    expect((await carts.get('c1'))?.firstSentAt).toBe(sentAt.toISOString());
    expect(
      await confirmSend({ cartId: 'c1', step: 'first', messageId: 'm-1', at: new Date(T.getTime() + 9_000) }, deps),
    ).toBe('already');
    expect((await carts.get('c1'))?.firstSentAt).toBe(sentAt.toISOString());
    // Counted and logged in the same write as the record, once.
    expect((await counters.month('2026-11')).remindersFirst).toBe(1);
    expect((await activityLog.history('c1')).filter((e) => e.action === 'sent')).toHaveLength(1);
  });

  it(
    'puts a second copy on the record: the story, ' +
      'the month counter and one alarmable log line, once however often SES reports it',
    async () => {
      const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
      const log = {
        ...silentLog,
        error: (message: string, fields?: Record<string, unknown>) =>
          void errors.push({ message, ...(fields ? { fields } : {}) }),
      };
      const handlerWithLog = createSesEventsHandler({
        sends: ledger,
        carts,
        optOuts,
        activity: activityLog,
        stats: new RecordingStats(),
        rules: fixedRules(),
        clock: { now: () => T },
        log,
      });
      const send = (messageId: string, at: Date) => ({
        detail: {
          eventType: 'Send',
          mail: { messageId, timestamp: at.toISOString(), tags: { cart: ['c1'], step: ['first'] } },
        },
      });
      await ledger.claim({
        cartId: 'c1',
        step: 'first',
        email: 'sam@example.com',
        attempt: 'a2',
        now: T,
        leaseUntil: new Date(T.getTime() + 900_000),
        quietSince: new Date(0),
      });
      // The second attempt's message is recorded (by its SEND event here); the first attempt's answer was lost and its
      // own SEND event comes 20 minutes late: that shopper got two emails.
      expect(await handlerWithLog(send('m-2', new Date(T.getTime() + 1_000)))).toEqual({
        suppressed: 0,
        confirmed: 'confirmed',
      });
      const late = new Date(T.getTime() - 20 * 60_000 + 3_000);
      expect(await handlerWithLog(send('m-1', late))).toEqual({ suppressed: 0, confirmed: 'second_copy' });
      // Redelivered.
      expect(await handlerWithLog(send('m-1', late))).toEqual({ suppressed: 0, confirmed: 'second_copy' });

      const story = (await activityLog.history('c1')).filter((e) => e.action === 'second_copy');
      expect(story).toHaveLength(1);
      expect(story[0]).toMatchObject({
        actor: 'sender',
        details: { step: 'first', messageId: 'm-1', recordedMessageId: 'm-2' },
      });
      expect(story[0]?.reason).toMatch(/second copy of the first reminder reached the shopper/);
      expect((await counters.month('2026-11')).secondCopies).toBe(1);
      expect(errors.filter((e) => e.message === SECOND_COPY_LOG_MESSAGE)).toEqual([
        {
          message: SECOND_COPY_LOG_MESSAGE,
          fields: { cartId: 'c1', step: 'first', messageId: 'm-1', recordedMessageId: 'm-2', learntFrom: 'ses_event' },
        },
      ]);
      // The reminder itself stays recorded once, with the message that got there first.
      expect(await ledger.find('c1', 'first')).toMatchObject({ status: 'sent', messageId: 'm-2' });
      expect((await counters.month('2026-11')).remindersFirst).toBe(1);
    },
  );

  it(
    "records a second copy found by the sender's answer: " +
      "an old message's late SEND event settled the new attempt's claim first",
    async () => {
      const errors: string[] = [];
      const log = { ...silentLog, error: (message: string) => void errors.push(message) };
      await ledger.claim({
        cartId: 'c1',
        step: 'first',
        email: 'sam@example.com',
        attempt: 'a3',
        now: T,
        leaseUntil: new Date(T.getTime() + 900_000),
        quietSince: new Date(0),
      });
      // The first attempt's message, 16 minutes late, lands while attempt a3's own SES call is in flight.
      expect(
        await confirmSend(
          { cartId: 'c1', step: 'first', messageId: 'm-old', at: new Date(T.getTime() - 60_000) },
          { sends: ledger, carts, rules: fixedRules(), log },
        ),
      ).toBe('confirmed');
      const facts = sentFacts({
        cartId: 'c1',
        step: 'first',
        test: false,
        countAt: T,
        acceptedAt: T,
        joinsHoldBack: false,
        entry: { at: T, reason: 'first reminder sent', details: { step: 'first' } },
      });
      const written = await ledger.complete(
        'c1',
        'first',
        'a3',
        { sentAt: T.toISOString(), messageId: 'm-new', polished: false },
        facts,
      );
      expect(written).toEqual({ outcome: 'other_message', recordedMessageId: 'm-old' });
      await settleSentWrite(
        written,
        { cartId: 'c1', step: 'first', messageId: 'm-new', at: T, test: false, learntFrom: 'answer' },
        { sends: ledger, log },
      );
      // Its own SEND event later finds the same copy recorded: nothing twice.
      expect(
        await confirmSend(
          { cartId: 'c1', step: 'first', messageId: 'm-new', at: new Date(T.getTime() + 2_000) },
          { sends: ledger, carts, rules: fixedRules(), log },
        ),
      ).toBe('second_copy');
      expect(errors).toEqual([SECOND_COPY_LOG_MESSAGE]);
      expect(
        (await activityLog.history('c1')).filter((e) => e.action === 'second_copy').map((e) => e.details?.learntFrom),
      ).toEqual(['answer']);
      expect(await counters.month('2026-11')).toMatchObject({ remindersFirst: 1, secondCopies: 1 });
    },
  );
});
