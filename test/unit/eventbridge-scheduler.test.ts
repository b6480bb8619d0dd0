import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { atExpression, EventBridgeWakeUpScheduler } from '../../src/adapters/aws/eventbridge-scheduler';
import { wakeUpScheduleName } from '../../src/domain/cart/schedule-names';

const scheduler = mockClient(SchedulerClient);
const now = new Date('2026-11-02T20:00:00Z');
const config = {
  groupName: 'cart-recovery',
  waiterArn: 'arn:aws:lambda:us-east-1:123456789012:function:cr-waiter',
  roleArn: 'arn:aws:iam::123456789012:role/cr-scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:cr-scheduler-dlq',
};
const adapter = () =>
  new EventBridgeWakeUpScheduler(new SchedulerClient({ region: 'us-east-1' }), config, { now: () => now });

describe('EventBridge Scheduler adapter', () => {
  beforeEach(() => scheduler.reset());

  it(
    'creates a one-off UTC schedule with no flexible window, ' + 'deleted after it fires, retried and dead-lettered',
    async () => {
      // Prepare
      scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
      // Act
      await adapter().schedule({ cartId: 'cart-1', seq: 1, at: new Date('2026-11-02T21:00:00.000Z') });
      // Assess
      expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
      expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
        Name: wakeUpScheduleName('cart-1', 1),
        GroupName: 'cart-recovery',
        ScheduleExpression: 'at(2026-11-02T21:00:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        State: 'ENABLED',
        Target: {
          Arn: config.waiterArn,
          RoleArn: config.roleArn,
          Input: '{"cartId":"cart-1","seq":1}',
          RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 20 },
          DeadLetterConfig: { Arn: config.deadLetterArn },
        },
      });
    },
  );

  it('treats a name conflict as already scheduled', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await expect(adapter().schedule({ cartId: 'cart-1', seq: 1, at: now })).resolves.toBeUndefined();
  });

  it('passes other failures on, so the caller retries', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ValidationException({ message: 'bad', Message: 'bad', $metadata: {} }));
    await expect(adapter().schedule({ cartId: 'cart-1', seq: 1, at: now })).rejects.toThrow('bad');
  });

  it('never asks for a time in the past: clamps to a minute ahead', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    await adapter().schedule({ cartId: 'late', seq: 2, at: new Date('2026-11-01T00:00:00Z') });
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      ScheduleExpression: 'at(2026-11-02T20:01:00)',
    });
  });

  it('deletes the pending schedule on cancel and tolerates it being gone', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }))
      .resolves({});
    await adapter().cancel('cart-1', 3);
    await adapter().cancel('cart-1', 3);
    expect(scheduler).toHaveReceivedCommandTimes(DeleteScheduleCommand, 2);
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: wakeUpScheduleName('cart-1', 3),
      GroupName: 'cart-recovery',
    });
  });

  it('names schedules within Scheduler limits, distinct per cart and seq', () => {
    const names = [wakeUpScheduleName('a', 1), wakeUpScheduleName('a', 2), wakeUpScheduleName('b'.repeat(500), 1)];
    for (const name of names) expect(name).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
    expect(new Set(names).size).toBe(3);
  });

  it('formats at() in UTC seconds, rounding up', () => {
    expect(atExpression(new Date('2026-03-08T07:30:00.001Z'))).toBe('at(2026-03-08T07:30:01)');
  });
});

describe('quiet-hours deferrals', () => {
  beforeEach(() => scheduler.reset());

  it('re-invokes the sender with the same request at the deferred time', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    const senderArn = 'arn:aws:lambda:us-east-1:123456789012:function:cr-sender';
    const deferring = new EventBridgeWakeUpScheduler(
      new SchedulerClient({ region: 'us-east-1' }),
      { ...config, senderArn },
      { now: () => now },
    );

    await deferring.defer({
      cartId: 'cart-1',
      step: 'first',
      at: new Date('2026-11-03T13:00:00Z'),
      reason: 'quiet_hours',
    });

    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: expect.stringMatching(/^defer-/),
      ScheduleExpression: 'at(2026-11-03T13:00:00)',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: expect.objectContaining({ Arn: senderArn, Input: '{"cartId":"cart-1","step":"first"}' }),
    });
  });

  it(
    'names a throttle retry and a lease check apart from a quiet-hours deferral, ' + 'and carries the retry count',
    async () => {
      scheduler.on(CreateScheduleCommand).resolves({});
      const senderArn = 'arn:aws:lambda:us-east-1:123456789012:function:cr-sender';
      const deferring = new EventBridgeWakeUpScheduler(
        new SchedulerClient({ region: 'us-east-1' }),
        { ...config, senderArn },
        { now: () => now },
      );
      const at = new Date('2026-11-03T13:00:07Z');

      await deferring.defer({ cartId: 'cart-1', step: 'first', at, reason: 'throttled', retry: 2 });
      await deferring.defer({ cartId: 'cart-1', step: 'first', at, reason: 'lease' });
      await deferring.defer({ cartId: 'cart-1', step: 'first', at, reason: 'quiet_hours' });

      const created = scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input);
      expect(created.map((input) => input.Name?.split('-')[0])).toEqual(['retry', 'lease', 'defer']);
      expect(new Set(created.map((input) => input.Name)).size).toBe(3);
      expect(created[0]?.Target?.Input).toBe('{"cartId":"cart-1","step":"first","retry":2}');
      expect(created.every((input) => (input.Name ?? '').length <= 64)).toBe(true);
    },
  );

  it('refuses to defer without a sender to call', async () => {
    await expect(adapter().defer({ cartId: 'c', step: 'first', at: now, reason: 'quiet_hours' })).rejects.toThrow(
      'needs the sender ARN',
    );
  });

  it('withdraws a lease check by the name it was made with, and a check already gone is no error', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    scheduler
      .on(DeleteScheduleCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }))
      .resolves({});
    const senderArn = 'arn:aws:lambda:us-east-1:123456789012:function:cr-sender';
    const deferring = new EventBridgeWakeUpScheduler(
      new SchedulerClient({ region: 'us-east-1' }),
      { ...config, senderArn },
      { now: () => now },
    );
    const request = {
      cartId: 'cart-1',
      step: 'first' as const,
      at: new Date('2026-11-03T13:15:00Z'),
      reason: 'lease' as const,
    };

    await deferring.defer(request);
    await expect(deferring.withdraw(request)).resolves.toBeUndefined();
    await deferring.withdraw(request);

    const created = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Name;
    expect(created).toMatch(/^lease-/);
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input.Name)).toEqual([
      created,
      created,
    ]);
  });
});
