import { type BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { GetAccountCommand, GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { type CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AccountLimits } from '../../domain/cart/release';
import type { AccountLimitsReader } from '../../ports/release';
import type { SenderIdentityFacts, SesAccountFacts } from '../../domain/operations/doctor';
import type { EmailAccountInspector, ModelAccessProbe, SecretInspector } from '../../ports/setup-inspection';

/** SES v2 `GetAccount` and `GetEmailIdentity`, reduced to what decides whether reminders can go out. */
export class SesAccountInspector implements EmailAccountInspector {
  constructor(private readonly client: SESv2Client) {}

  async account(): Promise<SesAccountFacts> {
    const answer = await this.client.send(new GetAccountCommand({}));
    return {
      productionAccess: answer.ProductionAccessEnabled === true,
      sendingEnabled: answer.SendingEnabled !== false,
      ...(answer.EnforcementStatus ? { enforcementStatus: answer.EnforcementStatus } : {}),
      max24HourSend: answer.SendQuota?.Max24HourSend ?? 0,
      maxSendRate: answer.SendQuota?.MaxSendRate ?? 0,
      sentLast24Hours: answer.SendQuota?.SentLast24Hours ?? 0,
    };
  }

  async identity(name: string): Promise<SenderIdentityFacts> {
    const answer = await this.client.send(new GetEmailIdentityCommand({ EmailIdentity: name }));
    return {
      identity: name,
      verifiedForSending: answer.VerifiedForSendingStatus === true,
      ...(answer.DkimAttributes?.Status ? { dkimStatus: answer.DkimAttributes.Status } : {}),
    };
  }
}

/**
 * One Converse call of at most one output token: the cheapest proof that this account may call the model (a
 * fraction of a cent). Bedrock answers `AccessDeniedException` when model access is not granted.
 */
export class BedrockAccessProbe implements ModelAccessProbe {
  constructor(private readonly client: BedrockRuntimeClient) {}

  async probe(modelId: string): Promise<void> {
    await this.client.send(
      new ConverseCommand({
        modelId,
        messages: [{ role: 'user', content: [{ text: 'Say ok.' }] }],
        inferenceConfig: { maxTokens: 1 },
      }),
    );
  }
}

/** SSM `GetParameter` without decryption: it tells "exists" from "missing" and never reads the secret out. */
export class SsmSecretInspector implements SecretInspector {
  constructor(private readonly client: SSMClient) {}

  async state(name: string): Promise<'set' | 'missing'> {
    try {
      await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
      return 'set';
    } catch (error) {
      if (error instanceof Error && error.name === 'ParameterNotFound') return 'missing';
      throw error;
    }
  }
}

/** The window over which the sender's measured duration is read. */
const DURATION_WINDOW_MS = 7 * 24 * 3600_000;

/**
 * The account's sending limits, with the operator's credentials (these calls need a `*` resource, which no function
 * role is given): SES v2 `GetAccount`'s send rate and 24-hour quota, the sender's reserved concurrency from
 * `GetFunctionConcurrency`, else the account's unreserved pool from `GetAccountSettings`, and how long the sender
 * really takes: the 90th percentile of its CloudWatch `Duration` over the last 7 days.
 */
export class AwsAccountLimitsReader implements AccountLimitsReader {
  constructor(
    private readonly ses: SESv2Client,
    private readonly lambda: LambdaClient,
    private readonly cloudwatch: CloudWatchClient,
    private readonly senderFunctionName: string,
    private readonly now: () => Date,
  ) {}

  async read(): Promise<Omit<AccountLimits, 'readAt'>> {
    const [account, reserved, settings, seconds] = await Promise.all([
      this.ses.send(new GetAccountCommand({})),
      this.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: this.senderFunctionName })),
      this.lambda.send(new GetAccountSettingsCommand({})),
      this.senderSeconds(),
    ]);
    const rate = account.SendQuota?.MaxSendRate;
    const quota = account.SendQuota?.Max24HourSend;
    if (!rate || !quota) throw new Error('SES GetAccount returned no send quota');
    const own = reserved.ReservedConcurrentExecutions;
    const pool = settings.AccountLimit?.UnreservedConcurrentExecutions;
    if (!own && !pool) throw new Error('Lambda returned neither a reservation for the sender nor an unreserved pool');
    const measured = seconds === undefined ? {} : { senderSecondsPerSend: seconds };
    return own
      ? {
          sesMaxSendRate: rate,
          sesMax24HourSend: quota,
          senderConcurrency: own,
          concurrencyFrom: 'reserved',
          ...measured,
        }
      : {
          sesMaxSendRate: rate,
          sesMax24HourSend: quota,
          senderConcurrency: pool as number,
          concurrencyFrom: 'unreserved',
          ...measured,
        };
  }

  /** p90 of the sender's `Duration` over the window, in seconds; undefined when it has not run in it. */
  private async senderSeconds(): Promise<number | undefined> {
    const end = this.now();
    const { Datapoints } = await this.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        Dimensions: [{ Name: 'FunctionName', Value: this.senderFunctionName }],
        StartTime: new Date(end.getTime() - DURATION_WINDOW_MS),
        EndTime: end,
        Period: DURATION_WINDOW_MS / 1000,
        ExtendedStatistics: ['p90'],
        Unit: 'Milliseconds',
      }),
    );
    const p90 = Datapoints?.map((point) => point.ExtendedStatistics?.p90).find(
      (value): value is number => typeof value === 'number' && value > 0,
    );
    return p90 === undefined ? undefined : Math.round(p90) / 1000;
  }
}
