import { expect, inject } from 'vitest';
import { LOCAL_SECRETS, type LocalSystem, type LocalSystemOptions, startLocalSystem } from '../../src/local/system';
import { silentLog } from '../../src/ports/log';
import { standardHeaders } from './webhooks';

/** 15:00 in New York (the example rules doc's store zone) on a Monday: clear of quiet hours. */
export const FROZEN_AT = Date.parse('2026-11-02T20:00:00Z');

/**
 * The whole local system for an end-to-end test, on the run's shared DynamoDB Local under its own table prefix, with
 * real time frozen under the test clock: only `advance` moves time, so every simulated time is exact.
 */
export function startTestSystem(tablePrefix: string, options: Partial<LocalSystemOptions> = {}): Promise<LocalSystem> {
  return startLocalSystem({
    port: 0,
    inMemory: true,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tablePrefix,
    log: silentLog,
    realNow: () => FROZEN_AT,
    ...options,
  });
}

/** Posts one event in our signed format over HTTP and expects it accepted. */
export async function postCartEvent(system: LocalSystem, payload: object): Promise<Record<string, unknown>> {
  const body = JSON.stringify(payload);
  const response = await fetch(`${system.url}/webhooks/cart`, {
    method: 'POST',
    body,
    headers: standardHeaders(body, LOCAL_SECRETS.webhook),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}
