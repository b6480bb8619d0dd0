/**
 * No second deploy for Shopify: the Shopify signing secret is read on the first delivery, so the endpoint can be
 * deployed before the secret exists. Until it does, Shopify deliveries get a 503 (Shopify retries), the operator's
 * log says which parameter to create, and our own /webhooks/cart is unaffected.
 */
import { describe, expect, it } from 'vitest';
import { SecretOnFirstUseFormat } from '../../src/adapters/webhooks/secret-on-first-use';
import { ShopifyWebhook } from '../../src/adapters/webhooks/shopify-webhook';
import { createIntakeHandler, type IntakeHandlerDeps } from '../../src/handlers/intake';
import type { Log } from '../../src/ports/log';
import { functionUrlEvent } from '../support/function-url';
import { shopifyHeaders } from '../support/webhooks';

const SECRET = 'shpss_the_real_secret';
const clock = { now: () => new Date('2026-11-02T20:00:00Z') };

describe('the Shopify endpoint before and after its secret is stored', () => {
  it(
    'answers 503 without detail while the parameter is missing, ' + 'then accepts signed deliveries once it exists',
    async () => {
      const warnings: Array<Record<string, unknown> | undefined> = [];
      const log: Log = {
        info() {},
        error() {},
        appendKeys() {},
        warn: (_message, fields) => void warnings.push(fields),
      };
      let stored: string | undefined;
      let reads = 0;
      const shopify = new SecretOnFirstUseFormat(
        async () => {
          reads += 1;
          if (!stored)
            throw Object.assign(new Error('Parameter /cart-recovery/shopify-secret not found'), {
              name: 'ParameterNotFound',
            });
          return new ShopifyWebhook(stored, clock);
        },
        'the Shopify signing secret: store it as the SSM SecureString /cart-recovery/shopify-secret',
        log,
      );
      // Only the ignored-topic path is exercised, so intake's stores are never reached.
      const handler = createIntakeHandler({
        formats: { '/webhooks/shopify': shopify },
        log,
      } as unknown as IntakeHandlerDeps);
      const body = JSON.stringify({ id: 1 });
      const delivery = () =>
        handler(
          functionUrlEvent({
            path: '/webhooks/shopify',
            body,
            headers: shopifyHeaders(body, SECRET, 'products/update'),
          }),
        );

      const before = await delivery();
      expect(before.statusCode).toBe(503);
      expect(before.headers).toMatchObject({ 'retry-after': '300' });
      expect(String(before.body)).not.toMatch(/ssm|parameter|shopify-secret/i);
      expect(warnings[0]).toMatchObject({
        what: expect.stringContaining('/cart-recovery/shopify-secret'),
        error: expect.stringContaining('not found'),
      });

      stored = SECRET; // the owner created the webhooks in Shopify and stored the secret: no deploy
      const after = await delivery();
      expect(after.statusCode).toBe(202);
      expect(JSON.parse(String(after.body))).toMatchObject({ outcome: 'ignored', type: 'products/update' });
      await delivery();
      expect(reads).toBe(2); // kept once read
    },
  );
});
