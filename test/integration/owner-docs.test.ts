import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbActivityLog } from '../../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOwnerDocsStore } from '../../src/adapters/aws/dynamodb-owner-docs-store';
import { ControllableClock } from '../../src/adapters/local/controllable-clock';
import { FileOwnerDrive } from '../../src/adapters/local/file-owner-drive';
import { OwnerDocsMissingError, StoredOwnerDocs } from '../../src/use-cases/stored-owner-docs';
import { DEFAULT_VOICE } from '../../src/domain/owner-docs/voice';
import { silentLog } from '../../src/ports/log';
import type { Mailer, OutgoingEmail } from '../../src/ports/mailer';
import { DOC_QUIET_MINUTES, loadOwnerDocs, type OwnerDocsLoaderDeps } from '../../src/use-cases/load-owner-docs';
import { applyOperatorCommand } from '../../src/use-cases/operator-stops';
import { freshTables } from '../support/dynamo';
import { RecordingScheduler } from '../support/recording-scheduler';

class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  async send(email: OutgoingEmail) {
    this.sent.push(email);
    return { messageId: `m${this.sent.length}` };
  }
}

describe('the rules loader', () => {
  let deps: OwnerDocsLoaderDeps;
  let mailer: RecordingMailer;
  let store: DynamoDbOwnerDocsStore;
  let rulesPath: string;
  let time: number;
  const edit = (from: string | RegExp, to: string) =>
    writeFileSync(rulesPath, readFileSync(rulesPath, 'utf8').replace(from, to));

  beforeEach(async () => {
    const { documents, names } = await freshTables();
    const dir = mkdtempSync(join(tmpdir(), 'cr-docs-'));
    rulesPath = join(dir, 'rules.md');
    copyFileSync('docs/examples/rules-doc.md', rulesPath);
    copyFileSync('docs/examples/voice-doc.md', join(dir, 'voice.md'));
    mailer = new RecordingMailer();
    store = new DynamoDbOwnerDocsStore(documents, names.sends);
    time = Date.parse('2026-11-02T20:00:00Z');
    deps = {
      carts: new DynamoDbCartStore(documents, names.carts),
      scheduler: new RecordingScheduler(),
      activity: new DynamoDbActivityLog(documents, names.sends, 90),
      drive: new FileOwnerDrive(),
      store,
      mailer,
      clock: new ControllableClock(undefined, () => time),
      log: silentLog,
      docs: { rules: rulesPath, voice: join(dir, 'voice.md') },
      owner: { email: 'owner@shop.example', from: 'reminders@shop.example' },
    };
  });

  it('accepts both example docs, then leaves unchanged docs alone', async () => {
    expect(await loadOwnerDocs(deps)).toEqual({ rules: 'updated', voice: 'updated' });
    expect((await store.rules())?.value.store.name).toBe('Linen & Larch');
    expect((await store.voice())?.value).toEqual(DEFAULT_VOICE);
    expect(await loadOwnerDocs(deps)).toEqual({ rules: 'unchanged', voice: 'unchanged' });
  });

  it(
    'keeps the last good rules when an edit has a typo, ' +
      'and tells the owner once the doc is quiet, naming the line and linking the doc',
    async () => {
      await loadOwnerDocs(deps);
      edit('Big cart, first reminder after: 1 hour', 'Big cart, first reminder after: 2 hourz');

      expect((await loadOwnerDocs(deps)).rules).toBe('rejected');
      expect((await store.rules())?.value.waits.big.firstMinutes).toBe(60);
      // The owner may still be typing: nothing is sent until the doc has stayed the same for a few minutes.
      expect(mailer.sent).toHaveLength(0);
      time += DOC_QUIET_MINUTES * 60_000;
      expect((await loadOwnerDocs(deps)).rules).toBe('rejected');
      expect(mailer.sent).toHaveLength(1);
      const [email] = mailer.sent;
      expect(email?.to).toBe('owner@shop.example');
      expect(email?.subject).toBe('Your cart reminder rules doc needs a fix (line 19)');
      expect(email?.text).toContain('2 hourz');
      expect(email?.text).toContain('stays in force');
      expect(email?.text).toContain(`Open the doc: ${pathToFileURL(rulesPath).href}`);
      expect(email?.html).toContain(`<a href="${pathToFileURL(rulesPath).href}">Open the doc</a>`);

      // Every few minutes the loader reads the doc again; the owner is not emailed again for the same edit.
      time += 5 * 60_000;
      expect((await loadOwnerDocs(deps)).rules).toBe('rejected');
      time += 60 * 60_000;
      expect((await loadOwnerDocs(deps)).rules).toBe('rejected');
      expect(mailer.sent).toHaveLength(1);

      edit('2 hourz', '2 hours');
      expect((await loadOwnerDocs(deps)).rules).toBe('updated');
      expect((await store.rules())?.value.waits.big.firstMinutes).toBe(120);
    },
  );

  it('sends one email per edit that still has problems, listing them all, once the owner stops typing', async () => {
    await loadOwnerDocs(deps);
    edit('Quiet hours: 9pm to 8am', 'Quiet hours: 9pm to late');
    await loadOwnerDocs(deps);
    // Mid-edit: the doc changes again before it has been quiet; the wait starts over.
    time += 3 * 60_000;
    edit('Reminders per cart: 2', 'Reminders per cart: 3');
    await loadOwnerDocs(deps);
    time += 3 * 60_000;
    await loadOwnerDocs(deps);
    expect(mailer.sent).toHaveLength(0);
    time += 2 * 60_000;
    await loadOwnerDocs(deps);
    expect(mailer.sent.map((e) => e.subject)).toEqual(['Your cart reminder rules doc needs a fix (2 problems)']);
    expect(mailer.sent[0]?.text).toMatch(/The rules doc for Linen & Larch has 2 problems:/);
    expect(mailer.sent[0]?.text).toMatch(/- Line 23: Reminders per cart on line 23 is "3": .*two reminders/);
    expect(mailer.sent[0]?.text).toMatch(/- Line 27: Quiet hours on line 27 is "9pm to late"/);
    expect(mailer.sent[0]?.text).toContain(`Open the doc: ${pathToFileURL(rulesPath).href}`);

    // A later edit that still has problems is news: one more email, once it is quiet.
    edit('Reminders per cart: 3', 'Reminders per cart: 2');
    await loadOwnerDocs(deps);
    time += DOC_QUIET_MINUTES * 60_000;
    await loadOwnerDocs(deps);
    expect(mailer.sent.map((e) => e.subject)).toEqual([
      'Your cart reminder rules doc needs a fix (2 problems)',
      'Your cart reminder rules doc needs a fix (line 27)',
    ]);
  });

  it('keeps the last good rules when the doc cannot be read at all', async () => {
    await loadOwnerDocs(deps);
    rmSync(rulesPath);
    expect((await loadOwnerDocs(deps)).rules).toBe('unavailable');
    expect((await store.rules())?.value.store.name).toBe('Linen & Larch');
    expect(mailer.sent).toEqual([]);
  });

  it('serves the hot path from the stored copy, re-reading only after the cache window', async () => {
    await loadOwnerDocs(deps);
    const source = new StoredOwnerDocs(store, deps.clock, 60_000);
    expect((await source.current()).waits.big.firstMinutes).toBe(60);

    edit('Big cart, first reminder after: 1 hour', 'Big cart, first reminder after: 2 hours');
    await loadOwnerDocs(deps);
    expect((await source.current()).waits.big.firstMinutes).toBe(60);
    time += 60_000;
    expect((await source.current()).waits.big.firstMinutes).toBe(120);
  });

  it("applies the operator's stops on top of the doc's, and lifts them on the loader's next run", async () => {
    const carts = deps.carts as DynamoDbCartStore;
    await loadOwnerDocs(deps);
    await applyOperatorCommand({ kind: 'pause', reason: 'stock count' }, store);
    await applyOperatorCommand({ kind: 'stop-shopper', email: ' Kim@Example.com ', reason: 'asked by phone' }, store);
    const rules = await new StoredOwnerDocs(store, deps.clock, 0).current();
    expect(rules.pause?.reason).toBe('stock count (operator)');
    expect(rules.stoppedEmails).toEqual([{ target: 'kim@example.com', reason: 'asked by phone (operator)' }]);
    await loadOwnerDocs(deps);

    // A cart the waiter stopped for that shopper opens again once the operator lifts the stop.
    await carts.applyChange({
      snapshot: {
        cartId: 'kim-cart',
        source: 'generic',
        email: 'kim@example.com',
        items: [],
        total: { minor: 100, currency: 'USD' },
      },
      eventKey: 'k1',
      occurredAt: new Date(time),
      expiresAt: 0,
    });
    expect((await carts.stop('kim-cart', 'asked by phone (operator)', 'owner')).outcome).toBe('closed');
    await applyOperatorCommand({ kind: 'unstop-shopper', email: 'kim@example.com' }, store);
    await applyOperatorCommand({ kind: 'resume' }, store);
    await loadOwnerDocs(deps);

    expect(await carts.get('kim-cart')).toMatchObject({ status: 'open', wakeSeq: 2 });
    expect((deps.scheduler as RecordingScheduler).scheduled).toEqual([
      { cartId: 'kim-cart', seq: 2, at: new Date(time) },
    ]);
    expect((await new StoredOwnerDocs(store, deps.clock, 0).current()).pause).toBeUndefined();
  });

  it('refuses an operator stop for something that is not an email', async () => {
    await expect(
      applyOperatorCommand({ kind: 'stop-shopper', email: 'kim at example', reason: '' }, store),
    ).rejects.toThrow('is not an email address');
  });

  it('refuses to run on guesses when no rules were ever accepted', async () => {
    await expect(new StoredOwnerDocs(store, deps.clock, 0).current()).rejects.toThrow(OwnerDocsMissingError);
  });
});
