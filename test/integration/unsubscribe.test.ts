import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../../src/adapters/aws/dynamodb-opt-outs';
import type { FunctionUrlHandler } from '../../src/http/function-url';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { unsubscribeLinks } from '../../src/domain/unsubscribe/links';
import { signUnsubscribeToken } from '../../src/domain/unsubscribe/token';
import { createUnsubscribeHandler } from '../../src/handlers/unsubscribe';
import { silentLog } from '../../src/ports/log';
import { freshTables } from '../support/dynamo';
import { ingestOpenCarts } from '../support/open-carts';
import { functionUrlEvent } from '../support/function-url';
import { RecordingStats } from '../support/recording-stats';
import { fixedRules } from '../../src/ports/owner-docs';

const KEY = 'unsubscribe-test-key-0123456789';
const T = new Date('2026-11-02T20:00:00Z');

describe('the unsubscribe endpoint', () => {
  let handler: FunctionUrlHandler;
  let carts: DynamoDbCartStore;
  let optOuts: DynamoDbOptOutStore;
  let countOptOuts: () => Promise<number>;

  beforeEach(async () => {
    const { documents, names } = await freshTables();
    const clock = new ControllableClock(undefined, () => T.getTime());
    carts = new DynamoDbCartStore(documents, names.carts);
    optOuts = new DynamoDbOptOutStore(documents, names.optouts);
    const activity = new DynamoDbActivityLog(documents, names.sends, 90);
    handler = createUnsubscribeHandler({
      key: KEY,
      carts,
      optOuts,
      activity,
      stats: new RecordingStats(),
      rules: fixedRules(),
      clock,
      log: silentLog,
    });
    countOptOuts = async () => (await documents.send(new ScanCommand({ TableName: names.optouts }))).Count ?? 0;
    await ingestOpenCarts(['c1', 'c2'], { carts, activity, clock }, { at: T });
  });

  const links = unsubscribeLinks('https://u.example', KEY, 'c1', 'sam@example.com');
  const pathOf = (url: string) => new URL(url).pathname;
  const post = (path: string, body: string) =>
    handler(
      functionUrlEvent({
        path,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );

  it('shows a choice page on GET and writes nothing (a mail scanner cannot unsubscribe anyone)', async () => {
    const response = await handler(functionUrlEvent({ path: pathOf(links.pageUrl), method: 'GET' }));
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toContain('text/html');
    expect(response.body).toContain('Stop reminders about this cart');
    expect(response.body).toContain('Stop all cart reminders');
    expect(response.body).not.toContain('sam@example.com');
    expect(await countOptOuts()).toBe(0);
    expect((await carts.get('c1'))?.status).toBe('open');
  });

  it('opts out of everything on the one-click POST, at once, stopping every open cart of that shopper', async () => {
    const response = await post(pathOf(links.oneClickUrl), 'List-Unsubscribe=One-Click');
    expect(response.statusCode).toBe(200);
    expect(await optOuts.find('sam@example.com', 'any-cart')).toBe('all');
    expect((await carts.get('c1'))?.status).toBe('stopped');
    expect((await carts.get('c2'))?.status).toBe('stopped');
  });

  it("opts out of just this cart from the page's first button", async () => {
    const response = await post(pathOf(links.pageUrl), 'scope=cart');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('this cart');
    expect(await optOuts.find('sam@example.com', 'c1')).toBe('cart');
    expect(await optOuts.find('sam@example.com', 'c2')).toBeUndefined();
    expect((await carts.get('c2'))?.status).toBe('open');
  });

  it('is idempotent: a second click changes nothing and still answers 200', async () => {
    await post(pathOf(links.oneClickUrl), 'List-Unsubscribe=One-Click');
    expect((await post(pathOf(links.oneClickUrl), 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
    expect(await countOptOuts()).toBe(1);
  });

  const token = links.pageUrl.split('/u/')[1] ?? '';
  const [version, payload, mac] = token.split('.');
  it.each([
    [
      'a token signed with another key',
      signUnsubscribeToken({ cartId: 'c1', scope: 'all' }, 'someone-elses-key-0123456789'),
    ],
    [
      'a payload swapped for another cart',
      `${version}.${Buffer.from(JSON.stringify({ c: 'c2', s: 'all' })).toString('base64url')}.${mac}`,
    ],
    ['a truncated mac', `${version}.${payload}.${mac?.slice(0, -4)}`],
    ['garbage', 'not-a-token'],
    ['an overlong token', `v1.${'a'.repeat(600)}.b`],
  ])('refuses %s with a plain error page and writes nothing', async (_name, forged) => {
    for (const response of [
      await handler(functionUrlEvent({ path: `/u/${forged}`, method: 'GET' })),
      await post(`/u/${forged}`, 'List-Unsubscribe=One-Click'),
    ]) {
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain("This link isn't valid");
      expect(response.body).not.toMatch(/at \S+ \(|\.ts:\d+/);
    }
    expect(await countOptOuts()).toBe(0);
    expect((await carts.get('c1'))?.status).toBe('open');
  });

  it('refuses a POST that is neither one-click nor a page choice', async () => {
    expect((await post(pathOf(links.pageUrl), 'scope=everything')).statusCode).toBe(400);
    expect(await countOptOuts()).toBe(0);
  });

  it('answers kindly for an old (v1) link whose cart we no longer hold', async () => {
    const gone = signUnsubscribeToken({ cartId: 'expired-cart', scope: 'all' }, KEY);
    const response = await post(`/u/${gone}`, 'List-Unsubscribe=One-Click');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Nothing to stop');
    expect(await countOptOuts()).toBe(0);
  });

  it("keeps an old (v1) link working as it always did: the cart's address is opted out", async () => {
    const v1 = signUnsubscribeToken({ cartId: 'c1', scope: 'all' }, KEY);
    expect((await post(`/u/${v1}`, 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
    expect(await optOuts.find('sam@example.com', 'c9')).toBe('all');
    expect((await carts.get('c2'))?.status).toBe('stopped');
  });

  it.each(['/u/%', '/u/%zz', '/u/v2.%E0%A4', '/u/%C0%AF', `/u/${'%41'.repeat(800)}`, '/u/a/b', '/u/', '/'])(
    'answers the malformed path %s with the error page, never a 500',
    async (path) => {
      for (const method of ['GET', 'POST']) {
        const response = await handler(functionUrlEvent({ path, method, body: 'List-Unsubscribe=One-Click' }));
        expect(response.statusCode).toBe(400);
        expect(response.body).toContain("This link isn't valid");
      }
      expect(await countOptOuts()).toBe(0);
    },
  );
});
