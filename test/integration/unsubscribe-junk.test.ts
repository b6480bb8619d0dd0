/**
 * 2,400 forged, altered, truncated, malformed and repeated requests against the unsubscribe endpoint, from a seeded
 * generator (the same requests every run): not one opt-out written for anyone who did not ask, not one 5xx, and
 * exactly one activity entry per real change. The clock moves a second per request, so repeated entries could not
 * hide behind one activity key.
 */
import { createHmac } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../../src/adapters/aws/dynamodb-opt-outs';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { signUnsubscribeToken } from '../../src/domain/unsubscribe/token';
import { createUnsubscribeHandler } from '../../src/handlers/unsubscribe';
import type { FunctionUrlEvent, FunctionUrlHandler } from '../../src/http/function-url';
import { type Log, silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { ingestCartEvent } from '../../src/use-cases/ingest-cart-event';
import { freshTables } from '../support/dynamo';
import { functionUrlEvent } from '../support/function-url';
import { ONE_CLICK_BODIES } from '../support/one-click-bodies';
import { RecordingScheduler } from '../support/recording-scheduler';
import { RecordingStats } from '../support/recording-stats';

const KEY = 'unsubscribe-test-key-0123456789';
const OTHER_KEY = 'an-attackers-guess-at-the-key-0123';
const T = new Date('2026-11-02T20:00:00Z');
const REQUESTS = 2400;

/** mulberry32: a small seeded generator, so the 2,400 requests are the same on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chars = (length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') =>
    Array.from({ length }, () => alphabet[int(alphabet.length)]).join('');
  return { next, int, pick, chars };
}

type Kind = 'forged' | 'altered' | 'truncated' | 'malformed' | 'repeated';
interface Attempt {
  readonly kind: Kind;
  readonly event: FunctionUrlEvent;
}

describe('the unsubscribe endpoint under junk', () => {
  let handler: FunctionUrlHandler;
  let clock: ControllableClock;
  let carts: DynamoDbCartStore;
  let activity: DynamoDbActivityLog;
  let optOutRows: () => Promise<string[]>;
  /** Every log line the handler writes, as `level message {attributes}`. */
  const lines: string[] = [];
  const line = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(attributes ?? {})}`);
  const recordingLog: Log = { info: line('info'), warn: line('warn'), error: line('error'), appendKeys() {} };

  beforeAll(async () => {
    const { documents, names } = await freshTables();
    clock = new ControllableClock(undefined, () => T.getTime());
    carts = new DynamoDbCartStore(documents, names.carts);
    const optOuts = new DynamoDbOptOutStore(documents, names.optouts);
    activity = new DynamoDbActivityLog(documents, names.sends, 90);
    handler = createUnsubscribeHandler({
      key: KEY,
      carts,
      optOuts,
      activity,
      stats: new RecordingStats(),
      rules: fixedRules(),
      clock,
      log: recordingLog,
    });
    optOutRows = async () =>
      ((await documents.send(new ScanCommand({ TableName: names.optouts }))).Items ?? [])
        .map((item) => `${item.email} ${item.scope}`)
        .sort();
    for (const [cartId, email] of [
      ['c1', 'sam@example.com'],
      ['c2', 'sam@example.com'],
      ['v', 'victim@example.com'],
    ] as const) {
      await ingestCartEvent(
        {
          kind: 'cart_changed',
          eventId: cartId,
          occurredAt: T,
          source: 'generic',
          cart: { cartId, source: 'generic', email, items: [], total: { minor: 100, currency: 'USD' } },
        },
        {
          carts,
          activity,
          scheduler: new RecordingScheduler(),
          rules: fixedRules(),
          clock,
          log: silentLog,
          retentionDays: 90,
        },
      );
    }
  });

  /** The requests, by kind. Sam holds his own four tokens; nobody holds the victim's. */
  function attempts(): Attempt[] {
    const random = seeded(14);
    const own = [
      signUnsubscribeToken({ cartId: 'c1', scope: 'cart', email: 'sam@example.com' }, KEY),
      signUnsubscribeToken({ cartId: 'c1', scope: 'all', email: 'sam@example.com' }, KEY),
      signUnsubscribeToken({ cartId: 'c1', scope: 'cart' }, KEY), // links already in inboxes (v1)
      signUnsubscribeToken({ cartId: 'c1', scope: 'all' }, KEY),
    ];
    const v1Mac = own[3]!.split('.')[2]!;
    const forgeries = () => [
      `v2.${random.chars(20 + random.int(400))}`,
      `v1.${random.chars(10 + random.int(60))}.${random.chars(43)}`,
      signUnsubscribeToken({ cartId: 'v', scope: 'all', email: 'victim@example.com' }, OTHER_KEY),
      signUnsubscribeToken({ cartId: 'c1', scope: 'all', email: 'victim@example.com' }, OTHER_KEY),
      signUnsubscribeToken({ cartId: 'v', scope: 'all' }, OTHER_KEY),
      // Sam's v1 mac on a payload naming the victim's cart.
      `v1.${Buffer.from(JSON.stringify({ c: 'v', s: 'all' })).toString('base64url')}.${v1Mac}`,
      // A v1 mac computed the way a forger would guess, without the context prefix.
      (() => {
        const payload = Buffer.from(JSON.stringify({ c: 'v', s: 'all' })).toString('base64url');
        return `v1.${payload}.${createHmac('sha256', KEY).update(payload).digest('base64url')}`;
      })(),
      `v3.${random.chars(30)}.${random.chars(43)}`,
      random.chars(random.int(900)),
    ];
    const alter = (token: string) => {
      let altered = token;
      for (let changes = 1 + random.int(3); changes > 0 || altered === token; changes--) {
        const at = random.int(altered.length);
        altered =
          altered.slice(0, at) +
          random.chars(1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=') +
          altered.slice(at + 1);
      }
      return altered;
    };
    const oneClick = () => {
      const shape = random.pick(ONE_CLICK_BODIES);
      return { body: shape.body, contentType: shape.contentType };
    };
    const post = (path: string, form = oneClick(), method = 'POST', base64 = random.next() < 0.7) =>
      functionUrlEvent({ path, method, body: form.body, base64, headers: { 'content-type': form.contentType } });
    const junkBodies = [
      { body: '{"List-Unsubscribe":"One-Click"}', contentType: 'application/json' },
      { body: 'List-Unsubscribe=One-Clack', contentType: 'application/x-www-form-urlencoded' },
      { body: 'scope=cart&scope=all', contentType: 'application/x-www-form-urlencoded' },
      { body: 'scope=everything', contentType: 'application/x-www-form-urlencoded' },
      { body: ONE_CLICK_BODIES[1]!.body.slice(0, 90), contentType: ONE_CLICK_BODIES[1]!.contentType },
      { body: ONE_CLICK_BODIES[1]!.body, contentType: 'multipart/form-data; boundary=wrong' },
      { body: ONE_CLICK_BODIES[1]!.body, contentType: 'multipart/form-data' },
      { body: 'x='.padEnd(20_000, 'y'), contentType: 'application/x-www-form-urlencoded' },
    ];

    const made: Attempt[] = [];
    for (let index = 0; index < REQUESTS; index++) {
      const roll = random.next();
      const valid = random.pick(own);
      if (roll < 0.3) {
        const forged = random.pick(forgeries());
        made.push({
          kind: 'forged',
          event: random.next() < 0.8 ? post(`/u/${forged}`) : functionUrlEvent({ path: `/u/${forged}`, method: 'GET' }),
        });
      } else if (roll < 0.55) {
        made.push({
          kind: 'altered',
          event: post(
            `/u/${alter(valid)}`,
            random.next() < 0.5 ? oneClick() : { body: 'scope=all', contentType: 'application/x-www-form-urlencoded' },
          ),
        });
      } else if (roll < 0.7) {
        made.push({ kind: 'truncated', event: post(`/u/${valid.slice(0, random.int(valid.length))}`) });
      } else if (roll < 0.96) {
        const variant = random.int(5);
        const event =
          variant === 0
            ? post(
                `/u/${valid.slice(0, 10)}` +
                  `${random.pick(['%', '%z', '%zz', '%E0%A4', '%C0%AF', '%%41'])}${valid.slice(10)}`,
              )
            : variant === 1
              ? post(
                  random.pick([
                    `/u/${valid}/x`,
                    `/u//${valid}`,
                    `/${valid}`,
                    `/u/${valid}%2F..`,
                    `/u/${valid}`.padEnd(3000, 'A'),
                  ]),
                )
              : variant === 2
                ? post(`/u/${valid}`, random.pick(junkBodies))
                : variant === 3
                  ? post(`/u/${valid}`, oneClick(), random.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']))
                  : {
                      ...post(`/u/${valid}`),
                      body: random.pick(['!!!!', 'abc', '====', random.chars(50, '!@#$%^&*()')]),
                      isBase64Encoded: true,
                    };
        made.push({ kind: 'malformed', event });
      } else {
        // The real thing, again and again: a one-click, a page button, or a mail scanner's GET.
        const choice = random.int(3);
        made.push({
          kind: 'repeated',
          event:
            choice === 0
              ? post(`/u/${valid}`)
              : choice === 1
                ? post(`/u/${valid}`, { body: 'scope=cart', contentType: 'application/x-www-form-urlencoded' })
                : functionUrlEvent({ path: `/u/${valid}`, method: 'GET' }),
        });
      }
    }
    return made;
  }

  it('writes no wrong opt-out, answers no 5xx, and logs one activity entry per real change', async () => {
    const made = attempts();
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    for (const attempt of made) {
      clock.advance(1000);
      const linesBefore = lines.length;
      const { statusCode } = await handler(attempt.event);
      if (attempt.kind !== 'repeated') {
        // The refusal path: exactly one short line, never an error with a stack.
        expect(lines.slice(linesBefore)).toEqual([
          expect.stringMatching(/^info unsubscribe refused \{"reason":".{1,100}"\}$/),
        ]);
      }
      count(attempt.kind);
      count(`${attempt.kind} ${statusCode}`);
      if (statusCode >= 500) count('5xx');
      if (attempt.kind !== 'repeated')
        expect(
          statusCode,
          `${attempt.kind} ${attempt.event.requestContext.http.method} ${attempt.event.rawPath.slice(0, 80)}`,
        ).toBeGreaterThanOrEqual(400);
    }
    const refusalLines = lines.filter((text) => text.startsWith('info unsubscribe refused'));
    const longest = Math.max(...refusalLines.map((text) => text.length));
    console.info('unsubscribe junk run:', Object.fromEntries([...tally].sort()), {
      refusalLines: refusalLines.length,
      longestRefusalLine: longest,
    });
    expect(lines.filter((text) => text.startsWith('error'))).toEqual([]);

    expect(made.length).toBeGreaterThanOrEqual(2000);
    for (const kind of ['forged', 'altered', 'truncated', 'malformed', 'repeated'])
      expect(tally.get(kind) ?? 0, kind).toBeGreaterThan(50);
    expect(tally.get('5xx') ?? 0).toBe(0);
    // Only what Sam asked for, with his own links: everything, and this cart. Nothing for the victim.
    expect(await optOutRows()).toEqual(['sam@example.com all', 'sam@example.com cart#c1']);
    expect((await carts.get('v'))?.status).toBe('open');
    // Two real changes (the cart opt-out and the all opt-out), so two entries, however many clicks.
    const entries = (await activity.history('c1')).filter((entry) => entry.action === 'unsubscribed');
    expect(entries.map((entry) => entry.details?.scope).sort()).toEqual(['all', 'cart']);
    expect((await activity.history('v')).filter((entry) => entry.action === 'unsubscribed')).toEqual([]);
  });
});
