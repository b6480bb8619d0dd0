import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import { LOCAL_SECRETS, type LocalSystem } from '../../src/local/system';
import { cartPayload, standardHeaders } from '../support/webhooks';
import { startTestSystem } from '../support/local-system';

const HOUR = 3_600_000;

describe("the owner's docs steer the local system without a restart", () => {
  let system: LocalSystem;
  let rulesPath: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-owner-'));
    rulesPath = join(dir, 'rules.md');
    copyFileSync('docs/examples/rules-doc.md', rulesPath);
    copyFileSync('docs/examples/voice-doc.md', join(dir, 'voice.md'));
    system = await startTestSystem('e2e-owner-', { docs: { rules: rulesPath, voice: join(dir, 'voice.md') } });
  });
  afterAll(() => system.stop());

  const editRules = async (from: string, to: string) => {
    const before = readFileSync(rulesPath, 'utf8');
    expect(before).toContain(from);
    writeFileSync(rulesPath, before.replace(from, to));
    await system.reloadDocs();
  };
  const postCart = async (id: string, email = `${id}@example.com`) => {
    const body = JSON.stringify(
      cartPayload({ id, email, returnUrl: `https://shop.example.com/cart/${id}` }, system.clock.now().toISOString()),
    );
    expect(
      (
        await fetch(`${system.url}/webhooks/cart`, {
          method: 'POST',
          body,
          headers: standardHeaders(body, LOCAL_SECRETS.webhook),
        })
      ).status,
    ).toBe(200);
  };
  const activity = async (id: string) =>
    (await (await fetch(`${system.url}/_local/carts/${id}/activity`)).json()) as Array<{
      actor: string;
      action: string;
      reason: string;
      at: string;
      details?: Record<string, unknown>;
    }>;
  const sentTo = (id: string) => listOutbox(system.outboxDir).filter((e) => e.tags.cart === id);
  /** Later tests start at 10:00 New York time the next day, clear of quiet hours whatever earlier tests did. */
  const toTenAm = async () => {
    const tenAm = DateTime.fromJSDate(system.clock.now(), { zone: 'America/New_York' })
      .plus({ days: 1 })
      .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    await system.advance(tenAm.toMillis() - system.clock.now().getTime());
  };

  it('follows an edit of the big-cart wait (1 h to 2 h) for the next big cart', async () => {
    await editRules('Big cart, first reminder after: 1 hour', 'Big cart, first reminder after: 2 hours');
    const start = system.clock.now().getTime();
    await postCart('big-after-edit');

    await system.advance(1 * HOUR);
    expect(sentTo('big-after-edit')).toEqual([]);
    await system.advance(1 * HOUR);
    const [email] = sentTo('big-after-edit');
    expect(Date.parse(email?.sentAt ?? '') - start).toBe(2 * HOUR);
  });

  it('keeps the old rules working when an edit has a typo, and emails the owner one clear message', async () => {
    await editRules('Big cart, first reminder after: 2 hours', 'Big cart, first reminder aftr: 30 minutes');
    // The owner hears once the doc has been left alone for a few minutes (the loader's next runs).
    expect(listOutbox(system.outboxDir).filter((e) => e.to === 'owner@shop.example')).toHaveLength(0);
    await system.advance(5 * 60_000);
    await system.reloadDocs();
    const problems = listOutbox(system.outboxDir).filter((e) => e.to === 'owner@shop.example');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.subject).toBe('Your cart reminder rules doc needs a fix (line 19)');
    expect(problems[0]?.text).toMatch(/did you mean/i);

    const start = system.clock.now().getTime();
    await postCart('big-during-typo');
    await system.advance(2 * HOUR);
    expect(Date.parse(sentTo('big-during-typo')[0]?.sentAt ?? '') - start).toBe(2 * HOUR);
    await editRules('Big cart, first reminder aftr: 30 minutes', 'Big cart, first reminder after: 1 hour');
  });

  it(
    "stops one cart by the owner's line, " + "with the owner's reason in the log, and undoes it by deleting the line",
    async () => {
      await postCart('stop-me');
      await editRules('## Stops\n', '## Stops\nStop cart stop-me — customer phoned, order taken by hand\n');
      await system.advance(1 * HOUR);
      expect(sentTo('stop-me')).toEqual([]);
      expect((await activity('stop-me')).find((e) => e.action === 'stopped')?.reason).toContain(
        'customer phoned, order taken by hand',
      );

      await editRules('Stop cart stop-me — customer phoned, order taken by hand\n', '');
      await system.advance(60_000);
      expect((await activity('stop-me')).map((e) => e.action)).toContain('resumed');
      expect(sentTo('stop-me')).toHaveLength(1);
    },
  );

  it('stops one shopper, every cart of theirs', async () => {
    await toTenAm();
    await editRules('## Stops\n', '## Stops\nStop shopper kim@example.com — asked by phone not to be emailed\n');
    await postCart('kim-1', 'kim@example.com');
    await postCart('kim-2', 'KIM@example.com');
    await system.advance(1 * HOUR);
    expect([...sentTo('kim-1'), ...sentTo('kim-2')]).toEqual([]);

    // Undone: both carts carry on; the do-not-disturb window lets one of them through, as for any shopper.
    await editRules('Stop shopper kim@example.com — asked by phone not to be emailed\n', '');
    await system.advance(60_000);
    expect([...sentTo('kim-1'), ...sentTo('kim-2')]).toHaveLength(1);
  });

  it('pauses all reminders, and resumes when the line goes', async () => {
    await toTenAm();
    await editRules('## Stops\n', '## Stops\nPause all reminders — stock count this week\n');
    await postCart('during-pause');
    await system.advance(1 * HOUR);
    expect(sentTo('during-pause')).toEqual([]);
    // Held, not spent: the waiter keeps the reminder (nothing handed off, nothing skipped) and says why.
    const held = (await activity('during-pause')).find(
      (e) => e.actor === 'waiter' && e.action === 'still_shopping' && /held because/.test(e.reason),
    );
    expect(held?.reason).toContain('stock count this week');
    expect((await activity('during-pause')).some((e) => e.action === 'skipped')).toBe(false);

    await editRules('Pause all reminders — stock count this week\n', '');
    await postCart('after-pause');
    await system.advance(1 * HOUR);
    expect(sentTo('after-pause')).toHaveLength(1);
    // The held reminder goes out within the hour after the pause, as the first reminder.
    expect(sentTo('during-pause')).toHaveLength(1);
    expect((await activity('during-pause')).filter((e) => e.action === 'sent').map((e) => e.details?.step)).toEqual([
      'first',
    ]);
  });
});
