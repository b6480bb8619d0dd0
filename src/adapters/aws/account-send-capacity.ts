import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { NEW_ACCOUNT_CAPACITY, type SendCapacity } from '../../domain/cart/release';
import type { Clock } from '../../ports/clock';
import type { Log } from '../../ports/log';
import type { SendCapacitySource } from '../../ports/release';

/** The account's limits change rarely (a quota increase); read them at most this often per container. */
const CACHE_MS = 60 * 60_000;


export interface AccountSendCapacityConfig {
  /** The sender's reserved concurrency, when the stack reserves some; otherwise the account's unreserved is read. */
  readonly reservedConcurrency?: number;
  /** Seconds one sender invocation takes (Bedrock, then SES), as measured in the deployed account. */
  readonly secondsPerSend: number;
}

/**
 * The account's real limits: SES v2 `GetAccount` (send rate and 24-hour quota) and Lambda `GetAccountSettings`
 * (unreserved concurrency, unless the sender has its own reservation), cached for an hour. Read only when a reminder
 * has to be placed in a release (quiet hours, a throttle), never on a plain send.
 */
export class AccountSendCapacity implements SendCapacitySource {
  private cached: { readonly at: number; readonly value: SendCapacity } | undefined;

  constructor(
    private readonly ses: SESv2Client,
    private readonly lambda: LambdaClient,
    private readonly config: AccountSendCapacityConfig,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  async current(): Promise<SendCapacity> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.value;
    const [ses, concurrency] = await Promise.all([this.readSes(), this.readConcurrency()]);
    const value: SendCapacity = {
      sesMaxSendRate: ses?.rate ?? NEW_ACCOUNT_CAPACITY.sesMaxSendRate,
      sesMax24HourSend: ses?.quota ?? NEW_ACCOUNT_CAPACITY.sesMax24HourSend,
      senderConcurrency: concurrency ?? NEW_ACCOUNT_CAPACITY.senderConcurrency,
      senderSecondsPerSend: this.config.secondsPerSend,
      source:
        ses && concurrency !== undefined
          ? `the account's limits (SES GetAccount and ${this.config.reservedConcurrency ? "the sender's reserved concurrency" : 'Lambda GetAccountSettings'})`
          : "a new account's limits (reading the account failed)",
    };
    // A failed reading is retried on the next placement instead of being kept for an hour.
    if (ses && concurrency !== undefined) this.cached = { at: now, value };
    return value;
  }

  private async readSes(): Promise<{ rate: number; quota: number } | undefined> {
    try {
      const { SendQuota } = await this.ses.send(new GetAccountCommand({}));
      const rate = SendQuota?.MaxSendRate;
      const quota = SendQuota?.Max24HourSend;
      if (!rate || !quota || rate <= 0 || quota <= 0) throw new Error('GetAccount returned no send quota');
      return { rate, quota };
    } catch (error) {
      this.log.warn("SES's send rate could not be read; pacing the release at a new account's 14 a second", { error: String(error) });
      return undefined;
    }
  }

  private async readConcurrency(): Promise<number | undefined> {
    if (this.config.reservedConcurrency) return this.config.reservedConcurrency;
    try {
      const { AccountLimit } = await this.lambda.send(new GetAccountSettingsCommand({}));
      const unreserved = AccountLimit?.UnreservedConcurrentExecutions;
      if (!unreserved || unreserved <= 0) throw new Error('GetAccountSettings returned no unreserved concurrency');
      return unreserved;
    } catch (error) {
      this.log.warn("Lambda's concurrency could not be read; pacing the release for a new account's 10", { error: String(error) });
      return undefined;
    }
  }
}
