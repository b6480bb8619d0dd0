/**
 * The operator composition (src/local/operator.ts) that every script in scripts/ asks for its parts: locally it
 * finds the running system through its data folder and works on that system's tables with its settings; on AWS it
 * builds its clients with the stated policy and reads the deployment's settings from the checkout, refusing a missing
 * or placeholder value by naming the key and its variable. The scripts themselves are run as the operator runs them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import { LocalSystemNotRunningError, openOperator } from '../../src/local/operator';
import { AWS_CLIENT_POLICY } from '../../src/composition/aws/policy';
import type { LocalSystem } from '../../src/local/system';
import { localEndpointFile } from '../../src/local/running-system';
import { FROZEN_AT, postCartEvent, startTestSystem } from '../support/local-system';

const run = promisify(execFile);
const script = (name: string, args: string[], dataDir: string) =>
  run(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], {
    env: { ...process.env, CR_DATA_DIR: dataDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });

const cart = (id: string) => ({
  type: 'cart.updated',
  timestamp: new Date(FROZEN_AT).toISOString(),
  data: {
    id,
    email: 'jo@example.com',
    items: [{ title: 'Linen shirt', quantity: 1, unitPrice: '45.00' }],
    total: '45.00',
    currency: 'USD',
  },
});

describe('the operator composition, locally (a running local system on DynamoDB Local)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'operator-'));
  let system: LocalSystem;

  beforeAll(async () => {
    system = await startTestSystem(`op${Date.now() % 100_000}-`, { inMemory: false, dataDir });
    await postCartEvent(system, cart('op-cart-1'));
    await system.advance(2 * 3_600_000); // the waiter acts on it: the cart has a history
  });
  afterAll(() => system?.stop());

  it("works on the running system's own tables, clock, owner and retention, read from its data folder", async () => {
    const operator = openOperator({ where: 'local', dataDir });
    try {
      expect(operator.said).toBe(`DynamoDB Local at ${system.dynamoEndpoint}`);
      // The system runs under a table prefix: the operator finds it without being told.
      expect(operator.platform.tables).toMatchObject({
        carts: system.tables.carts,
        sends: system.tables.sends,
        optouts: system.tables.optouts,
      });
      expect(operator.platform.retentionDays).toBe(90);
      expect(operator.owner).toEqual({ email: 'owner@shop.example', from: 'cart-recovery <reminders@shop.example>' });
      expect(await operator.carts.get('op-cart-1')).toMatchObject({
        cartId: 'op-cart-1',
        email: 'jo@example.com',
        status: 'open',
      });
      const history = await operator.activity.history('op-cart-1');
      expect(history.map((entry) => entry.actor)).toContain('waiter');
      expect(history).toEqual(await system.activity.history('op-cart-1'));
      expect(await operator.zone()).toBe('America/New_York'); // the example rules doc, as the system stored it
      expect(await (await operator.failures()).list()).toEqual([]);
      expect(operator.outbox().url).toBe(`${system.url}/outbox/`);
    } finally {
      operator.destroy();
    }
    const named = openOperator({ where: 'local', dataDir, tables: { sends: 'cr-sends-elsewhere' } });
    expect(named.platform.tables).toMatchObject({ carts: system.tables.carts, sends: 'cr-sends-elsewhere' });
    named.destroy();
  });

  it('runs the scripts against it: a story, the stops, a summary in the outbox, the doctor', async () => {
    const story = await script('carts', ['story', 'op-cart-1'], dataDir);
    expect(story.stdout).toContain('Cart op-cart-1: ');
    expect(story.stdout).toContain('1 x Linen shirt; $45.00; address jo@example.com.');

    const paused = await script('stops', ['pause', 'stock count'], dataDir);
    expect(paused.stdout).toContain('Pause:    stock count');
    expect((await script('stops', ['resume'], dataDir)).stdout).toContain('Pause:    none');

    const summary = await script('summary', ['2026-11'], dataDir);
    expect(summary.stdout).toContain(`Summary for 2026-11 is in the outbox: ${system.url}/outbox/`);
    const sent = listOutbox(system.outboxDir).filter((message) =>
      message.subject.startsWith('Your cart reminders in November 2026'),
    );
    expect(sent.map((message) => message.to)).toEqual(['owner@shop.example']);

    const doctor = await script('doctor', [], dataDir);
    expect(doctor.stdout).toContain(`DynamoDB Local at ${system.dynamoEndpoint}.`);
  });

  it(
    'says once, the same way everywhere, that the local system is not running; ' +
      'an old description asks for a restart',
    async () => {
      const empty = mkdtempSync(join(tmpdir(), 'operator-none-'));
      expect(() => openOperator({ where: 'local', dataDir: empty })).toThrow(new LocalSystemNotRunningError().message);
      expect(new LocalSystemNotRunningError().message).toBe(
        'the local system is not running (start it with npm start), or pass --aws for a deployed stack',
      );
      expect(() => openOperator({ where: 'local', dataDir: empty, localOnly: true })).toThrow(
        /^the local system is not running \(start it with npm start\)$/,
      );
      await expect(script('carts', ['story', 'x'], empty)).rejects.toMatchObject({
        stderr: expect.stringContaining(new LocalSystemNotRunningError().message),
      });
      await expect(script('summary', [], empty)).rejects.toMatchObject({
        stderr: expect.stringContaining('the local system is not running (start it with npm start)\n'),
      });

      writeFileSync(localEndpointFile(empty), JSON.stringify({ endpoint: system.dynamoEndpoint, url: system.url }));
      expect(() => openOperator({ where: 'local', dataDir: empty })).toThrow(
        /does not describe a running local system .*restart it with npm start/,
      );
    },
  );
});

describe('the operator composition, on AWS', () => {
  const checkout = (context: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), 'operator-checkout-'));
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'npx tsx bin/cart-recovery.ts', context }));
    return dir;
  };
  const deployed = {
    senderDomain: 'harbour.example.org',
    fromAddress: 'reminders@harbour.example.org',
    ownerEmail: 'ann@harbour.example.org',
  };

  it(
    'builds its DynamoDB client with the stated policy and the deployed table names, ' + 'or those the flags name',
    async () => {
      const operator = openOperator({
        where: 'aws',
        region: 'eu-west-1',
        checkout: { dir: checkout(deployed), env: {} },
      });
      try {
        expect(await operator.platform.documents.config.maxAttempts()).toBe(AWS_CLIENT_POLICY.dynamodb.maxAttempts);
        expect(await operator.platform.documents.config.region()).toBe('eu-west-1');
        expect(operator.platform.tables).toEqual({ carts: 'cr-carts', sends: 'cr-sends', optouts: 'cr-optouts' });
      } finally {
        operator.destroy();
      }
      const named = openOperator({ where: 'aws', region: 'eu-west-1', tables: { carts: 'a-carts', sends: 'a-sends' } });
      expect(named.platform.tables).toMatchObject({ carts: 'a-carts', sends: 'a-sends' });
      named.destroy();
    },
  );

  it("reads the retention and the owner's address the stack was deployed with: cdk.json, then CART_RECOVERY_*", () => {
    const fromContext = openOperator({
      where: 'aws',
      region: 'eu-west-1',
      checkout: { dir: checkout({ ...deployed, retentionDays: 30 }), env: {} },
    });
    expect(fromContext.platform.retentionDays).toBe(30);
    expect(fromContext.owner).toEqual({ email: 'ann@harbour.example.org', from: 'reminders@harbour.example.org' });
    fromContext.destroy();

    const fromEnv = openOperator({
      where: 'aws',
      region: 'eu-west-1',
      checkout: { dir: checkout(deployed), env: { CART_RECOVERY_RETENTION_DAYS: '45' } },
    });
    expect(fromEnv.platform.retentionDays).toBe(45);
    fromEnv.destroy();
  });

  it('fails, naming the key and its variable, when a setting is wrong, still a placeholder or not there at all', () => {
    const bad = openOperator({
      where: 'aws',
      region: 'eu-west-1',
      checkout: { dir: checkout({ ...deployed, retentionDays: 0 }), env: {} },
    });
    expect(() => bad.platform.retentionDays).toThrow(
      /retentionDays \(context "retentionDays" or env CART_RECOVERY_RETENTION_DAYS\): at least 1/,
    );
    bad.destroy();

    const placeholder = openOperator({ where: 'aws', region: 'eu-west-1', checkout: { dir: checkout({}), env: {} } });
    expect(placeholder.platform.retentionDays).toBe(90); // the deploy configuration's own default
    expect(() => placeholder.owner).toThrow(
      'ownerEmail is still the placeholder "owner@example.com": ' +
        'set ownerEmail in cdk.json (or CART_RECOVERY_OWNER_EMAIL) to the deployed value',
    );
    placeholder.destroy();

    const nowhere = openOperator({
      where: 'aws',
      region: 'eu-west-1',
      checkout: { dir: mkdtempSync(join(tmpdir(), 'operator-none-')), env: {} },
    });
    expect(() => nowhere.platform.retentionDays).toThrow(
      /cannot read the deploy configuration .*cdk\.json .*run from the checkout the stack was deployed from/,
    );
    expect(() => nowhere.outbox()).toThrow(/the outbox is the local system's/);
    nowhere.destroy();
  });
});
