/** The account's sending limits, for the sender's paced release. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AccountSendCapacity } from '../../adapters/aws/account-send-capacity';
import { systemClock } from '../../ports/clock';
import type { Log } from '../../ports/log';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

/** SES's `GetAccount` and Lambda's `GetAccountSettings`, read when a reminder is placed in a release, cached an hour. */
export function accountSendCapacity(
  env: { readonly CR_SENDER_SECONDS_PER_SEND: number; readonly CR_SENDER_RESERVED_CONCURRENCY?: number | undefined },
  log: Log,
): AccountSendCapacity {
  return new AccountSendCapacity(
    new SESv2Client(clientOptions(AWS_CLIENT_POLICY.ses)),
    new LambdaClient(clientOptions(AWS_CLIENT_POLICY.lambda)),
    {
      secondsPerSend: env.CR_SENDER_SECONDS_PER_SEND,
      ...(env.CR_SENDER_RESERVED_CONCURRENCY ? { reservedConcurrency: env.CR_SENDER_RESERVED_CONCURRENCY } : {}),
    },
    systemClock,
    log,
  );
}
