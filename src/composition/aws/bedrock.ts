/** Bedrock, for the sender alone (the one polished line). */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockPolisher } from '../../adapters/aws/bedrock-polisher';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

/**
 * A Bedrock Runtime client fit for the polisher: one attempt, so no hidden SDK retry outlives the polish timeout.
 * Without a region the SDK's usual resolution (AWS_REGION in Lambda) applies.
 */
export function bedrockClient(region?: string): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ ...clientOptions(AWS_CLIENT_POLICY.bedrock), ...(region ? { region } : {}) });
}

/** The model that polishes one line of each reminder. */
export function bedrockPolisher(env: { readonly CR_BEDROCK_MODEL_ID: string }): BedrockPolisher {
  return new BedrockPolisher(bedrockClient(), { modelId: env.CR_BEDROCK_MODEL_ID });
}
