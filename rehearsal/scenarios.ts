/**
 * The rehearsal's scenarios: what a store, a shopper and an operator do, delivered the way AWS delivers it, to the
 * bundles as synthesized. Each returns what it checked; a broken expectation throws with what was seen.
 */
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { docs_v1 } from '@googleapis/docs';
import { type Rehearsal, REHEARSAL_CONTEXT, REHEARSAL_DOCS } from './world';

// biome-ignore lint/suspicious/noExplicitAny: recorded storefront payloads, read and edited by path
type Json = Record<string, any>;

const ROOT = join(import.meta.dirname, '..');

/** A Google Doc whose body is one paragraph per line of `text` (how the loader reads docs: line by line). */
export function googleDoc(documentId: string, text: string): docs_v1.Schema$Document {
  return {
    documentId,
    title: documentId,
    body: {
      content: text.split('\n').map((line) => ({ paragraph: { elements: [{ textRun: { content: `${line}\n` } }] } })),
    },
  };
}

/** The owner's docs as the ready-to-copy examples write them. */
export function exampleDocs(): { rules: string; voice: string } {
  return {
    rules: readFileSync(join(ROOT, 'docs/examples/rules-doc.md'), 'utf8'),
    voice: readFileSync(join(ROOT, 'docs/examples/voice-doc.md'), 'utf8'),
  };
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`scenario expectation failed: ${message}`);
}

/** The owner shares both docs; the rules loader's schedule ticks; both are accepted. */
export async function ownerSharesDocs(r: Rehearsal, docs = exampleDocs()): Promise<string> {
  r.google.fake.docs.set(REHEARSAL_DOCS.rules, googleDoc(REHEARSAL_DOCS.rules, docs.rules));
  r.google.fake.docs.set(REHEARSAL_DOCS.voice, googleDoc(REHEARSAL_DOCS.voice, docs.voice));
  await r.tick('cart-recovery-rules-loader');
  const stored = await r.sendsItem('#owner', 'rules');
  expect(stored, 'the rules loader stored no rules doc');
  expect(
    r.google.tokens.some((t) => t.verified),
    'the loader never got a Google token with a verified JWT',
  );
  return 'rules loader read both docs through Google (service-account JWT verified) and stored them';
}

/** Shopify posts a checkout update (signed with the app secret) to the intake Function URL. */
export async function shopifyCheckout(
  r: Rehearsal,
  overrides: Json = {},
): Promise<{ cartId: string; status: number; body: string }> {
  const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/shopify-checkout-update.json'), 'utf8')) as Json;
  const now = r.now();
  const payload: Json = {
    ...base,
    updated_at: now.toISOString(),
    created_at: new Date(now.getTime() - 10 * 60_000).toISOString(),
    ...overrides,
  };
  const body = JSON.stringify(payload);
  const intake = r.functionNamed('intake');
  const res = await fetch(new URL('webhooks/shopify', intake.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'checkouts/update',
      'x-shopify-hmac-sha256': createHmac('sha256', r.secret('shopify')).update(body).digest('base64'),
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-event-id': randomUUID(),
      'x-shopify-triggered-at': now.toISOString(),
      'x-shopify-shop-domain': 'ridge-and-loom.myshopify.com',
      'x-shopify-api-version': '2026-01',
      'user-agent': 'Shopify-Captain-Hook',
    },
    body,
  });
  const text = await res.text();
  await r.settle();
  return { cartId: `shopify-${payload.cart_token ?? payload.token}`, status: res.status, body: text };
}

/** The seed story: a $120 Shopify checkout left behind gets its reminders, on time, and the chase ends. */
export async function seedStory(r: Rehearsal): Promise<{ cartId: string; said: string }> {
  const sentBefore = r.emails.length;
  const { cartId, status, body } = await shopifyCheckout(r);
  expect(status === 200, `intake answered ${status} ${body}`);
  const cart = await r.cartItem(cartId);
  expect(cart?.status === 'open', `the cart row is ${JSON.stringify(cart?.status)}`);
  expect(
    r.pendingSchedules().some((s) => s.name.startsWith('wake-')),
    'intake created no wake-up schedule',
  );
  // Four days: the first reminder, the second, and giving up, each fired by Scheduler at its time.
  const fired = await r.runSchedulesUntil(new Date(r.now().getTime() + 4 * 86_400_000));
  const toShopper = r.emails
    .slice(sentBefore)
    .filter((e) => e.to.some((t) => t.toLowerCase().includes('sam.shopper@example.com')));
  expect(
    toShopper.length >= 1,
    `no reminder reached the shopper (emails: ${JSON.stringify(r.emails.map((e) => e.to))})`,
  );
  expect(toShopper.length <= 2, `${toShopper.length} reminders for one cart`);
  const polishFailures = (r.logs.get(r.functionNamed('sender').name) ?? []).filter((line) =>
    line.includes('polish failed'),
  );
  expect(polishFailures.length === 0, `the sender could not polish through Bedrock: ${polishFailures[0]}`);
  const log = await r.activity(cartId);
  expect(
    log.some((l) => /sent/.test(l)),
    `no "sent" in the activity log: ${log.join(' | ')}`,
  );
  return {
    cartId,
    said: `${fired} schedules fired; ${toShopper.length} reminder(s) to the shopper; log: ${log.length} entries`,
  };
}

/** The shopper unsubscribes from the reminder's one-click header (RFC 8058 POST). */
export async function oneClickUnsubscribe(r: Rehearsal): Promise<string> {
  const email = [...r.emails].reverse().find((e) => e.headers.some((h) => h.Name.toLowerCase() === 'list-unsubscribe'));
  expect(email, 'no email carried a List-Unsubscribe header');
  const header = email.headers.find((h) => h.Name.toLowerCase() === 'list-unsubscribe')!.Value;
  const url = /<(http[^>]+)>/.exec(header)?.[1];
  expect(url, `List-Unsubscribe has no http link: ${header}`);
  const post = email.headers.find((h) => h.Name.toLowerCase() === 'list-unsubscribe-post')?.Value;
  expect(post === 'List-Unsubscribe=One-Click', `List-Unsubscribe-Post is ${post}`);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mail-Provider/1.0' },
    body: 'List-Unsubscribe=One-Click',
  });
  expect(res.status >= 200 && res.status < 300, `one-click POST answered ${res.status} ${await res.text()}`);
  await r.settle();
  const to = email.to[0]!.replace(/^.*<|>$/g, '').toLowerCase();
  const optouts = await r.optOuts(to);
  expect(optouts.length > 0, `no opt-out recorded for ${to}`);
  return (
    `one-click POST to the unsubscribe Function URL answered ${res.status}; ${to} opted out ` +
    `(${optouts.join(', ')})`
  );
}

/** A cart whose address bounces: SES's BOUNCE event, through EventBridge's rule, becomes a permanent opt-out. */
export async function bounce(r: Rehearsal): Promise<string> {
  const { cartId, status } = await shopifyCheckout(r, {
    email: 'bounce@simulator.amazonses.com',
    token: `t${randomUUID().slice(0, 8)}`,
    cart_token: `b${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    customer: { id: 1, email: 'bounce@simulator.amazonses.com', first_name: 'Bo', accepts_marketing: true },
  });
  expect(status === 200, `intake answered ${status}`);
  await r.runSchedulesUntil(new Date(r.now().getTime() + 6 * 3_600_000));
  const optouts = await r.optOuts('bounce@simulator.amazonses.com');
  expect(
    optouts.includes('all'),
    `the bounce did not become an opt-out (${optouts.join(', ') || 'none'}); cart ${cartId}`,
  );
  return (
    'reminder to bounce@simulator.amazonses.com bounced; the Email Bounced event reached ses-events through ' +
    'the rule; opted out'
  );
}

/** The owner edits both docs (the voice's sign-off, the rules' store name); the next loader tick takes both. */
export async function ownerEditsDocs(r: Rehearsal): Promise<string> {
  const docs = exampleDocs();
  const rules = docs.rules.replace('Store name: Linen & Larch', 'Store name: Linen & Larch Home');
  expect(rules !== docs.rules, 'the example rules doc no longer has the line the scenario edits');
  const voiceLines = docs.voice.split('\n');
  docs.voice = voiceLines.join('\n').replace(/(Sign-off:\s*)(.+)/i, '$1$2 (rehearsed)');
  r.google.fake.docs.set(REHEARSAL_DOCS.rules, googleDoc(REHEARSAL_DOCS.rules, rules));
  r.google.fake.docs.set(REHEARSAL_DOCS.voice, googleDoc(REHEARSAL_DOCS.voice, docs.voice));
  await r.tick('cart-recovery-rules-loader', new Date(r.now().getTime() + 5 * 60_000));
  const stored = await r.sendsItem('#owner', 'rules');
  expect(JSON.stringify(stored).includes('Linen & Larch Home'), 'the edited store name was not stored');
  return 'both docs edited in Google; the next loader tick stored the new store name';
}

/** The hourly store tick at 08:00 on the 1st (store time) sends the owner last month's summary. */
export async function monthlySummary(r: Rehearsal): Promise<string> {
  const now = r.now();
  // 08:00 in New York on the 1st of next month (the example rules doc's zone; EST is UTC-5 in December).
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 13, 0, 0));
  const before = r.emails.length;
  // A new account is still in the SES sandbox: SES then also authorizes the send against the owner's (verified)
  // address, which the summary's role names for exactly that.
  r.setSandbox(true);
  try {
    await r.tick('cart-recovery-monthly-summary', first);
  } finally {
    r.setSandbox(false);
  }
  const summary = r.emails.slice(before).find((e) => e.by.endsWith('summary'));
  expect(summary, `the tick at ${first.toISOString()} sent no summary`);
  return (
    `summary tick at ${first.toISOString()} (SES sandbox, owner verified) sent "${summary.subject}" to ` +
    `${summary.to.join(', ')}`
  );
}

/** Runs one of the project's npm scripts as the operator would, against the rehearsal. */
async function npmRun(r: Rehearsal, script: string, args: string[]): Promise<{ code: number; out: string }> {
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...r.operatorEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number>((done) => child.once('exit', (c) => done(c ?? 1)));
  return { code, out };
}

/**
 * The waiter cannot reach DynamoDB (forced 500s): Lambda retries it, then its on-failure destination puts the wake-up
 * on the failed-invocations queue. Once DynamoDB is back, the operator lists and replays it with
 * `npm run carts -- --aws failures|replay`, and the cart gets its reminder.
 */
export async function replayFailure(r: Rehearsal): Promise<string> {
  const queue = r.template.queues.find((q) => /FailedInvocations/.test(q.name)) ?? r.template.queues[0];
  expect(queue, 'the template has no queue');
  const token = `f${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const { cartId, status } = await shopifyCheckout(r, {
    token: `t${token}`,
    cart_token: token,
    email: 'riley@example.org',
    customer: { id: 2, email: 'riley@example.org', first_name: 'Riley', accepts_marketing: true },
  });
  expect(status === 200, `intake answered ${status}`);
  r.forceFault('dynamodb', r.functionNamed('waiter').name, /waiter failed on an asynchronous invoke/);
  await r.runSchedulesUntil(new Date(r.now().getTime() + 2 * 3_600_000));
  r.clearFaults();
  // Every wake-up due in those two hours failed (other carts' too): each is on the queue, this cart's among them.
  const waiting = r.queues.get(queue.url) ?? [];
  expect(
    waiting.some((m) => JSON.parse(m.body).requestPayload?.cartId === cartId),
    `the wake-up of ${cartId} is not on the queue after the waiter's retries (${waiting.length} messages)`,
  );
  const tables = [
    '--carts-table',
    r.template.tables.find((t) => t.name.endsWith('cr-carts'))!.name,
    '--sends-table',
    r.template.tables.find((t) => t.name.endsWith('cr-sends'))!.name,
  ];
  const listed = await npmRun(r, 'carts', ['--aws', ...tables, '--queue-url', queue.url, 'failures']);
  expect(
    listed.code === 0 && listed.out.includes(cartId),
    `npm run carts -- --aws failures (exit ${listed.code}):\n${listed.out}`,
  );
  const before = r.emails.length;
  const replayed = await npmRun(r, 'carts', ['--aws', ...tables, '--queue-url', queue.url, 'replay', 'all']);
  expect(replayed.code === 0, `npm run carts -- --aws replay all (exit ${replayed.code}):\n${replayed.out}`);
  await r.settle();
  expect((r.queues.get(queue.url) ?? []).length === 0, 'the replayed message is still on the queue');
  // The replayed wake-up decides as the waiter would have; quiet hours may move the reminder to the morning.
  await r.runSchedulesUntil(new Date(r.now().getTime() + 12 * 3_600_000));
  const reminded = r.emails.slice(before).some((e) => e.to.some((t) => t.includes('riley@example.org')));
  expect(
    reminded,
    'the replayed wake-up sent no reminder to ' +
      `riley@example.org:\n${replayed.out}\n${(await r.activity(cartId)).join('\n')}`,
  );
  return (
    `waiter failed 3 times on DynamoDB 500s → queue; "carts --aws failures" listed ${cartId}; "replay all" ran ` +
    'it and the reminder went out'
  );
}

/** `npm run doctor -- --aws` against an SES account in the sandbox, then one with production access. */
export async function doctor(r: Rehearsal): Promise<string> {
  const sends = r.template.tables.find((t) => t.name.endsWith('cr-sends'))!.name;
  const env = Object.fromEntries(
    Object.entries(REHEARSAL_CONTEXT).map(([key, value]) => [
      `CART_RECOVERY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
      value,
    ]),
  );
  const run = async () => {
    const child = spawn('npm', ['run', '--silent', 'doctor', '--', '--aws', '--table', sends], {
      cwd: ROOT,
      env: { ...process.env, ...env, ...r.operatorEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    return { code: await new Promise<number>((done) => child.once('exit', (c) => done(c ?? 1))), out };
  };
  r.setSandbox(true);
  const sandboxed = await run();
  r.setSandbox(false);
  const ready = await run();
  expect(/sandbox/i.test(sandboxed.out), `the doctor did not name the SES sandbox:\n${sandboxed.out}`);
  expect(
    !/sandbox/i.test(
      ready.out
        .split('\n')
        .filter((l) => /fail|✗|FAIL/.test(l))
        .join('\n'),
    ),
    `the doctor still fails on the sandbox with production access:\n${ready.out}`,
  );
  expect(ready.code === 0, `the doctor found problems with a ready account (exit ${ready.code}):\n${ready.out}`);
  // It read the account's sending limits through the operator's credentials and stored them for the sender.
  const release = /^ok\s+Morning release: (.*)$/m.exec(ready.out)?.[1];
  expect(
    release !== undefined && /stored for the sender/.test(release),
    `the doctor did not read and store the account's sending limits:\n${ready.out}`,
  );
  return (
    `sandboxed account: exit ${sandboxed.code}, names the sandbox; ready account: exit ${ready.code}; morning ` +
    `release: ${release}`
  );
}

/**
 * A shopper checks out: Shopify's orders/create finds the cart by its checkout token, ends the chase, cancels the
 * wake-up.
 */
export async function checkout(r: Rehearsal): Promise<string> {
  const token = `k${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const cartToken = `c${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const started = await shopifyCheckout(r, {
    token,
    cart_token: cartToken,
    email: 'kai@example.net',
    customer: { id: 3, email: 'kai@example.net', first_name: 'Kai', accepts_marketing: true },
  });
  expect(started.status === 200, `intake answered ${started.status}`);
  // The first reminder goes out (quiet hours may hold it till morning); the order then ends the chase and counts as
  // recovered.
  const sentBefore = r.emails.length;
  for (
    let hours = 0;
    hours < 24 && !r.emails.slice(sentBefore).some((e) => e.to.some((t) => t.includes('kai@example.net')));
    hours += 1
  ) {
    await r.runSchedulesUntil(new Date(r.now().getTime() + 3_600_000));
  }
  expect(
    r.emails.slice(sentBefore).some((e) => e.to.some((t) => t.includes('kai@example.net'))),
    'no first reminder to kai@example.net within a day',
  );
  const wakeUps = r.pendingSchedules().filter((s) => s.name.startsWith('wake-')).length;
  const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/shopify-order-create.json'), 'utf8')) as Json;
  const now = r.now();
  // An order that names only its checkout token: intake finds the cart through the byCheckoutToken index.
  const order: Json = {
    ...base,
    id: Date.now(),
    checkout_token: token,
    email: 'kai@example.net',
    created_at: now.toISOString(),
    processed_at: now.toISOString(),
  };
  delete order.cart_token;
  const body = JSON.stringify(order);
  const res = await fetch(new URL('webhooks/shopify', r.functionNamed('intake').url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': createHmac('sha256', r.secret('shopify')).update(body).digest('base64'),
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-event-id': randomUUID(),
      'x-shopify-triggered-at': now.toISOString(),
      'x-shopify-shop-domain': 'ridge-and-loom.myshopify.com',
      'x-shopify-api-version': '2026-01',
    },
    body,
  });
  const text = await res.text();
  expect(res.status === 200, `the order answered ${res.status} ${text}`);
  await r.settle();
  const cart = await r.cartItem(started.cartId);
  expect(cart?.status === 'checked_out', `the cart is ${cart?.status} after its order`);
  const left = r.pendingSchedules().filter((s) => s.name.startsWith('wake-')).length;
  expect(left < wakeUps, `the order cancelled no wake-up (${wakeUps} before, ${left} after)`);
  const before = r.emails.length;
  await r.runSchedulesUntil(new Date(r.now().getTime() + 2 * 86_400_000));
  expect(
    !r.emails.slice(before).some((e) => e.to.some((t) => t.includes('kai@example.net'))),
    'a checked-out cart was reminded again',
  );
  return (
    `first reminder sent; orders/create then matched ${started.cartId} by its checkout token: checked out, ` +
    'wake-up cancelled, no second reminder'
  );
}

/**
 * Every on-failure destination in the template receives, with the function's own role, when its function keeps failing.
 */
export async function failuresReachTheQueue(r: Rehearsal): Promise<string> {
  const said: string[] = [];
  const lengths = new Map([...r.queues].map(([url, messages]) => [url, messages.length]));
  for (const fn of r.template.functions) {
    if (!fn.asyncConfig?.onFailureArn) continue;
    const queue = r.template.queues.find((q) => q.arn === fn.asyncConfig!.onFailureArn);
    expect(queue, `${fn.name}'s on-failure destination is no queue of the template`);
    const before = (r.queues.get(queue.url) ?? []).length;
    // A fault the function cannot get past: DynamoDB answers 500 to it (the SDK retries, then the invocation fails).
    r.forceFault('dynamodb', fn.name, new RegExp(`${fn.name} failed`));
    r.invokeAsync(fn, {
      rehearsal: 'an event this function cannot complete while DynamoDB fails it',
      cartId: 'rehearsal-fault',
      seq: 1,
      step: 'first',
      detail: { eventType: 'Send', mail: { messageId: 'm', tags: { cart: ['rehearsal-fault'], step: ['first'] } } },
      scheduled: r.now().toISOString(),
    });
    await r.settle();
    r.clearFaults();
    const after = r.queues.get(queue.url) ?? [];
    if (after.length === before) {
      said.push(`${fn.name}: nothing reached the queue (the event did not need DynamoDB)`);
      continue;
    }
    said.push(`${fn.name}: queued after ${1 + fn.asyncConfig.retryAttempts} attempts`);
  }
  // The cart counter's mapping: a batch it keeps failing puts its stream position on the queue.
  const counter = r.template.streamMappings[0];
  if (counter) {
    r.forceFault('dynamodb', counter.functionName, new RegExp(`${counter.functionName} failed`));
    await shopifyCheckout(r, {
      token: `q${randomUUID().slice(0, 8)}`,
      cart_token: `q${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      email: 'quinn@example.org',
      customer: { id: 4, email: 'quinn@example.org', first_name: 'Quinn', accepts_marketing: true },
    });
    r.clearFaults();
    const queue = r.template.queues.find((q) => q.arn === counter.onFailureArn);
    const position = (r.queues.get(queue?.url ?? '') ?? []).find((m) => m.body.includes('DDBStreamBatchInfo'));
    expect(position, `the cart counter's failing batch did not reach ${counter.onFailureArn}`);
    said.push(`${counter.functionName}: stream position queued after ${counter.retryAttempts + 1} attempts`);
  }
  // The operator's replay is played in its own scenario; what this one queued is dropped.
  for (const [url, length] of lengths) r.queues.get(url)?.splice(length);
  return said.join('; ');
}

/** A rules doc the owner breaks gets one problem email (once quiet); fixing it clears the problem. */
export async function ownerBreaksAndFixesRules(r: Rehearsal): Promise<string> {
  const docs = exampleDocs();
  const broken = docs.rules.replace(/^Quiet hours:.*$/m, 'Quiet hours: whenever it suits');
  expect(broken !== docs.rules, 'the example rules doc no longer has the line the scenario breaks');
  r.google.fake.docs.set(REHEARSAL_DOCS.rules, googleDoc(REHEARSAL_DOCS.rules, broken));
  const before = r.emails.length;
  // Set-up time: the account is still in the SES sandbox, and notices reach the owner's verified address all the same.
  r.setSandbox(true);
  try {
    await r.tick('cart-recovery-rules-loader', new Date(r.now().getTime() + 5 * 60_000));
    await r.tick('cart-recovery-rules-loader', new Date(r.now().getTime() + 6 * 60_000));
  } finally {
    r.setSandbox(false);
  }
  const notice = r.emails.slice(before).find((e) => e.by.endsWith('rules-loader'));
  expect(notice, 'the owner was not told about the broken rules doc');
  r.google.fake.docs.set(REHEARSAL_DOCS.rules, googleDoc(REHEARSAL_DOCS.rules, docs.rules));
  await r.tick('cart-recovery-rules-loader', new Date(r.now().getTime() + 5 * 60_000));
  expect((await r.sendsItem('#owner', 'problems#rules')) === undefined, 'the fixed doc left its problem record');
  return `owner told "${notice.subject}"; the fixed doc cleared the problem`;
}

/** The export lane: the hourly tick at 02:00 store time imports the sheet (a bad row is reported to the owner). */
export async function importSheet(r: Rehearsal): Promise<string> {
  const now = r.now();
  const rows = [
    ['cart id', 'updated at', 'email', 'first name', 'items', 'total', 'status', 'time zone'],
    [
      'x-101',
      new Date(now.getTime() - 3_600_000).toISOString(),
      'ines@example.org',
      'Ines',
      'Linen shirt x1 @ 60.00',
      '60.00',
      'open',
      'America/New_York',
    ],
    ['x-102', 'yesterday-ish', 'noor@example.org', 'Noor', '', '20.00', 'open', ''],
    [
      'x-103',
      new Date(now.getTime() - 7_200_000).toISOString(),
      'ola@example.org',
      'Ola',
      'Canvas tote x1 @ 20.00',
      '20.00',
      'open',
      'Europe/Oslo',
    ],
    ['x-103', new Date(now.getTime() - 1_800_000).toISOString(), 'ola@example.org', '', '', '20.00', 'checked out', ''],
  ];
  // The newest reminded cart checks out in the export: a recovery, which the importer counts as intake would.
  const reminded = [...r.emails]
    .reverse()
    .find((e) => e.by.endsWith('sender') && e.tags.some((t) => t.Name === 'cart'));
  const recoveredId = reminded?.tags.find((t) => t.Name === 'cart')?.Value;
  expect(recoveredId, 'no reminded cart to check out in the export');
  rows.push([
    recoveredId,
    new Date(now.getTime() - 600_000).toISOString(),
    reminded!.to[0]!.replace(/^.*<|>$/g, ''),
    '',
    '',
    '',
    'checked out',
    '',
  ]);
  r.google.fake.sheets.set(REHEARSAL_DOCS.exportSheet, rows);
  // 02:00 in New York: 07:00 UTC in winter, on the next day.
  const tick = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 7, 0, 0));
  const before = r.emails.length;
  r.setSandbox(true); // the owner's notice about the bad row, from an account still in the sandbox
  try {
    await r.tick('cart-recovery-importer', tick);
  } finally {
    r.setSandbox(false);
  }
  const cart = await r.cartItem('x-101');
  expect(cart, 'the importer did not import the good row');
  const notice = r.emails.slice(before).find((e) => e.by.endsWith('importer'));
  expect(notice, 'the owner was not told about the bad row');
  expect((await r.cartItem('x-103'))?.status === 'checked_out', 'the checked-out row did not close its cart');
  expect(
    (await r.cartItem(recoveredId))?.status === 'checked_out',
    `the export's checkout did not close ${recoveredId}`,
  );
  return (
    `tick at ${tick.toISOString()} imported x-101, closed x-103 and the reminded ${recoveredId} (checked out), ` +
    `and reported the bad row ("${notice.subject}")`
  );
}

/**
 * The owner stops a shopper in the rules doc, then deletes the line: the loader reopens the cart and its chase goes on.
 */
export async function ownerStopsAndLifts(r: Rehearsal): Promise<string> {
  const docs = exampleDocs();
  const token = `s${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const email = 'lee@example.org';
  r.google.fake.docs.set(
    REHEARSAL_DOCS.rules,
    googleDoc(REHEARSAL_DOCS.rules, `${docs.rules.trimEnd()}\nStop shopper ${email} — phoned, ordering by hand\n`),
  );
  await r.tick('cart-recovery-rules-loader', new Date(r.now().getTime() + 5 * 60_000));
  const { cartId, status } = await shopifyCheckout(r, {
    token: `t${token}`,
    cart_token: token,
    email,
    customer: { id: 5, email, first_name: 'Lee', accepts_marketing: true },
  });
  expect(status === 200, `intake answered ${status}`);
  const before = r.emails.length;
  const toLee = () => r.emails.slice(before).filter((e) => e.to.some((t) => t.includes(email)));
  await r.runSchedulesUntil(new Date(r.now().getTime() + 26 * 3_600_000));
  expect(toLee().length === 0, 'a stopped shopper was reminded');
  const stopped = await r.cartItem(cartId);
  expect(stopped?.status === 'stopped', `the stopped shopper's cart is ${stopped?.status}`);
  r.google.fake.docs.set(REHEARSAL_DOCS.rules, googleDoc(REHEARSAL_DOCS.rules, docs.rules));
  await r.tick('cart-recovery-rules-loader', new Date(r.now().getTime() + 5 * 60_000));
  expect((await r.cartItem(cartId))?.status === 'open', 'deleting the stop did not reopen the cart');
  await r.runSchedulesUntil(new Date(r.now().getTime() + 26 * 3_600_000));
  expect(toLee().length >= 1, 'the reopened cart got no reminder');
  return `"Stop shopper" held ${cartId} (stopped, no email); deleting the line reopened it and its reminder went out`;
}

/** SES is over its send rate for a moment: the sender releases its claim, defers, and sends on the retry, once. */
export async function sesThrottles(r: Rehearsal): Promise<string> {
  const token = `h${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const email = 'hana@example.org';
  const { cartId, status } = await shopifyCheckout(r, {
    token: `t${token}`,
    cart_token: token,
    email,
    customer: { id: 6, email, first_name: 'Hana', accepts_marketing: true },
  });
  expect(status === 200, `intake answered ${status}`);
  const before = r.emails.length;
  r.throttleSes(1);
  await r.runSchedulesUntil(new Date(r.now().getTime() + 26 * 3_600_000));
  r.clearFaults();
  const toHana = r.emails.slice(before).filter((e) => e.to.some((t) => t.includes(email)));
  expect(toHana.length >= 1, `no reminder after the throttle:\n${(await r.activity(cartId)).join('\n')}`);
  const first = toHana.filter((e) => e.tags.some((t) => t.Name === 'step' && t.Value === 'first'));
  expect(first.length === 1, `${first.length} first reminders after one throttled attempt`);
  return `the first attempt was throttled (TooManyRequestsException): claim released, deferred, sent once on the retry`;
}
