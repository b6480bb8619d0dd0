import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type AccountLimits, NEW_ACCOUNT_CAPACITY, type SendCapacity } from '../../domain/cart/release';
import type { Clock } from '../../ports/clock';
import type { Log } from '../../ports/log';
import type { AccountLimitsStore, SendCapacitySource } from '../../ports/release';
import { OWNER_PARTITION } from './dynamodb-owner-docs-store';

const LIMITS_KEY = { cartId: OWNER_PARTITION, sk: 'account-limits' } as const;

/**
 * The limits change rarely (a quota increase, read by the next doctor run); a container reads them at most this often.
 */
const CACHE_MS = 60 * 60_000;

/**
 * The account's limits as the doctor last stored them (`#owner` / `account-limits` in cr-sends), cached for an hour;
 * a new production account's until the doctor has run, so a fresh deployment paces its releases safely slow. Read
 * only when a reminder is placed in a release (quiet hours, a throttle), never on a plain send.
 */
export class DynamoDbSendCapacity implements SendCapacitySource, AccountLimitsStore {
  private cached: { readonly at: number; readonly value: SendCapacity } | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Seconds one sender invocation takes (Bedrock, then SES): the deployment's stated figure. */
    private readonly secondsPerSend: number,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  async current(): Promise<SendCapacity> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.value;
    const limits = await this.stored();
    const value: SendCapacity = limits
      ? {
          sesMaxSendRate: limits.sesMaxSendRate,
          sesMax24HourSend: limits.sesMax24HourSend,
          senderConcurrency: limits.senderConcurrency,
          // Measured (the sender's p90 duration, read by the doctor) over stated, once the sender has run.
          senderSecondsPerSend: limits.senderSecondsPerSend ?? this.secondsPerSend,
          source: `the account's limits, read by npm run doctor -- --aws at ${limits.readAt}`,
        }
      : {
          ...NEW_ACCOUNT_CAPACITY,
          senderSecondsPerSend: this.secondsPerSend,
          source: "a new account's limits (npm run doctor -- --aws reads this account's)",
        };
    this.cached = { at: now, value };
    return value;
  }

  async stored(): Promise<AccountLimits | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: LIMITS_KEY, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const limits = Item as Partial<AccountLimits>;
    const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
    if (!positive(limits.sesMaxSendRate) || !positive(limits.sesMax24HourSend) || !positive(limits.senderConcurrency)) {
      this.log.warn('stored account limits are unreadable; pacing releases for a new account', {
        item: JSON.stringify(Item).slice(0, 300),
      });
      return undefined;
    }
    return {
      sesMaxSendRate: limits.sesMaxSendRate as number,
      sesMax24HourSend: limits.sesMax24HourSend as number,
      senderConcurrency: limits.senderConcurrency as number,
      concurrencyFrom: limits.concurrencyFrom === 'reserved' ? 'reserved' : 'unreserved',
      readAt: String(limits.readAt ?? 'an unknown time'),
      ...(positive(limits.senderSecondsPerSend) ? { senderSecondsPerSend: limits.senderSecondsPerSend as number } : {}),
    };
  }

  async save(limits: AccountLimits): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...LIMITS_KEY, ...limits } }));
    this.cached = undefined;
  }
}
