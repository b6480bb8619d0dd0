import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local';

/** Starts one in-memory DynamoDB Local for the test run and hands its endpoint to every test file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamoEndpoint', engine.endpoint);
  return () => engine.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
