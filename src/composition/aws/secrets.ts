/** Secrets from SSM Parameter Store, for the functions that have any (webhook, unsubscribe and Google keys). */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { once } from '../functions';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

const ssm = once(() => new SSMProvider({ clientConfig: clientOptions(AWS_CLIENT_POLICY.ssm) }));

/** Reads an SSM SecureString, cached per container for the policy's time; an empty value is an error. */
export async function secret(name: string): Promise<string> {
  const value = await ssm().get(name, { decrypt: true, maxAge: AWS_CLIENT_POLICY.ssm.cacheSeconds });
  if (!value) throw new Error(`SSM parameter ${name} is empty`);
  return value;
}
