import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox, OutboxMailer, outboxHandler, renderOutboxIndex } from '../../src/adapters/local/outbox-mailer';
import type { Clock } from '../../src/ports/clock';
import type { OutgoingEmail } from '../../src/ports/mailer';

const unsubscribeUrl = 'http://127.0.0.1:3000/u?token=abc.def&x=1';
const listUnsubscribe = `<${unsubscribeUrl}>, <mailto:unsub@ridgeandloom.com?subject=unsubscribe>`;

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: 'sam@example.net',
    from: '"Ridge & Loom" <hello@ridgeandloom.com>',
    replyTo: 'owner@ridgeandloom.com',
    subject: 'Your cart is waiting',
    html: '<!doctype html><html><body><p>Hi Sam,</p></body></html>',
    text: 'Hi Sam,\n\nYour cart is waiting.',
    headers: [
      { name: 'List-Unsubscribe', value: listUnsubscribe },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
    tags: { cart: 'cart-1', step: '1' },
    ...overrides,
  };
}

/** A clock the test sets by hand. */
function clockAt(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => now, set: (next) => (now = new Date(next)) };
}

describe('local outbox mailer', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cr-outbox-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the json, html and txt files of one message under one timestamped name', async () => {
    const { messageId } = await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(email());

    expect(messageId).toMatch(/^local-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    const name = files[0]?.replace(/\.html$/, '') ?? '';
    expect(name).toMatch(/^2026-11-02T20-00-00-000Z-your-cart-is-waiting-[0-9a-f]{8}$/);
    expect(files).toEqual([`${name}.html`, `${name}.json`, `${name}.txt`]);
    expect(readFileSync(join(dir, `${name}.html`), 'utf8')).toBe(email().html);
    expect(readFileSync(join(dir, `${name}.txt`), 'utf8')).toBe(email().text);
    expect(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'))).toEqual({
      messageId,
      sentAt: '2026-11-02T20:00:00.000Z',
      to: 'sam@example.net',
      from: '"Ridge & Loom" <hello@ridgeandloom.com>',
      replyTo: 'owner@ridgeandloom.com',
      subject: 'Your cart is waiting',
      headers: [
        { name: 'List-Unsubscribe', value: listUnsubscribe },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ],
      tags: { cart: 'cart-1', step: '1' },
      text: email().text,
      html: email().html,
    });
  });

  it('lists messages newest first by the clock, whatever order they were written in', async () => {
    const clock = clockAt('2026-11-03T09:00:00.000Z');
    const mailer = new OutboxMailer(dir, clock);
    await mailer.send(email({ subject: 'Step two', tags: { cart: 'cart-1', step: '2' } }));
    clock.set('2026-11-02T20:00:00.000Z');
    await mailer.send(email({ subject: 'Step one', tags: { cart: 'cart-1', step: '1' } }));
    clock.set('2026-11-05T09:00:00.000Z');
    await mailer.send(email({ subject: 'Step three', tags: { cart: 'cart-1', step: '3' } }));

    const entries = listOutbox(dir);

    expect(entries.map((entry) => entry.subject)).toEqual(['Step three', 'Step two', 'Step one']);
    expect(entries[0]?.name).toMatch(/^2026-11-05T09-00-00-000Z-step-three-/);
    const index = renderOutboxIndex(entries);
    expect(index.indexOf('Step three')).toBeLessThan(index.indexOf('Step two'));
    expect(index.indexOf('Step two')).toBeLessThan(index.indexOf('Step one'));
  });

  it('lists nothing for a missing folder and skips a json file that is not a message', async () => {
    expect(listOutbox(join(dir, 'not-there'))).toEqual([]);
    await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(email());
    writeFileSync(join(dir, 'broken.json'), '{"messageId": "local-1", "subj');
    writeFileSync(join(dir, 'other.json'), '{"hello": "world"}');

    expect(listOutbox(dir).map((entry) => entry.subject)).toEqual(['Your cart is waiting']);
  });

  it('renders an index with the time, recipient, subject, tags and links to each version', async () => {
    await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(email());
    const [entry] = listOutbox(dir);

    const index = renderOutboxIndex(listOutbox(dir));

    expect(index).toContain('2026-11-02T20:00:00.000Z');
    expect(index).toContain('sam@example.net');
    expect(index).toContain('Your cart is waiting');
    expect(index).toContain('cart: cart-1');
    expect(index).toContain('step: 1');
    expect(index).toContain(`href="/outbox/${entry?.name}.html"`);
    expect(index).toContain(`href="/outbox/${entry?.name}.txt"`);
    // Self-contained: nothing loaded from elsewhere.
    expect(index).not.toMatch(/<(script|link|img)\b/i);
  });

  it('shows List-Unsubscribe and a form that POSTs List-Unsubscribe=One-Click to its URL, as Gmail would', async () => {
    await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(email());

    const index = renderOutboxIndex(listOutbox(dir));

    expect(index).toContain(
      '&lt;http://127.0.0.1:3000/u?token=abc.def&amp;x=1&gt;, ' +
        '&lt;mailto:unsub@ridgeandloom.com?subject=unsubscribe&gt;',
    );
    const form = /<form\b[^>]*>[\s\S]*?<\/form>/.exec(index)?.[0] ?? '';
    expect(form).toMatch(/method="post"/);
    expect(form).toContain('action="http://127.0.0.1:3000/u?token=abc.def&amp;x=1"');
    expect(form).toMatch(/enctype="application\/x-www-form-urlencoded"/);
    // The only field, so the browser posts exactly `List-Unsubscribe=One-Click`.
    expect(form.match(/<input\b[^>]*>/g)).toEqual(['<input type="hidden" name="List-Unsubscribe" value="One-Click">']);
  });

  it('offers no form when List-Unsubscribe has no http(s) URL', async () => {
    await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(
      email({ headers: [{ name: 'List-Unsubscribe', value: '<javascript:alert(1)>, <mailto:unsub@example.com>' }] }),
    );

    const index = renderOutboxIndex(listOutbox(dir));

    expect(index).not.toContain('<form');
    expect(index).not.toContain('href="javascript');
  });

  it('escapes every value, so a subject with <script> shows as text', async () => {
    await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(
      email({ subject: 'Hi <script>alert("x")</script>', to: '"<b>"@example.net', tags: { cart: '<i>c</i>' } }),
    );

    const index = renderOutboxIndex(listOutbox(dir));

    expect(index).toContain('Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(index).not.toContain('<script');
    expect(index).not.toContain('<b>');
    expect(index).toContain('&lt;i&gt;c&lt;/i&gt;');
  });

  describe('HTTP handler', () => {
    it('serves the index at /outbox/ and the stored files with their content types', async () => {
      await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(email());
      const name = listOutbox(dir)[0]?.name ?? '';
      const serve = outboxHandler(dir);

      expect(serve('/outbox/')).toMatchObject({ status: 200, contentType: 'text/html; charset=utf-8' });
      expect(serve('/outbox/').body).toContain(`/outbox/${name}.html`);
      expect(serve('/outbox')).toMatchObject({ status: 200 });
      expect(serve(`/outbox/${name}.html`)).toEqual({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: email().html,
      });
      expect(serve(`/outbox/${name}.txt`)).toEqual({
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: email().text,
      });
      expect(serve(`/outbox/${name}.json?download=1`)).toMatchObject({
        status: 200,
        contentType: 'application/json; charset=utf-8',
      });
    });

    it('answers 404 to path traversal, unknown names and files the outbox did not write', async () => {
      await new OutboxMailer(dir, clockAt('2026-11-02T20:00:00.000Z')).send(email());
      writeFileSync(join(dir, 'notes.md'), 'private');
      const serve = outboxHandler(dir);

      for (const path of [
        '/outbox/../package.json',
        '/outbox/..%2fpackage.json',
        '/outbox/%2e%2e/package.json',
        '/outbox/../../etc/passwd.txt',
        '/outbox/nope.html',
        '/outbox/notes.md',
        '/outbox/.hidden.json',
        '/elsewhere/x.html',
      ]) {
        expect(serve(path), path).toEqual({ status: 404, contentType: 'text/plain; charset=utf-8', body: 'not found' });
      }
    });

    it('serves an empty index before anything was sent', () => {
      const serve = outboxHandler(join(dir, 'not-yet'));
      expect(serve('/outbox/')).toMatchObject({ status: 200, body: expect.stringContaining('No messages yet.') });
      expect(serve('/outbox/x.html').status).toBe(404);
    });
  });
});
