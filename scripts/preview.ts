/**
 * `npm run preview`: renders both reminders for the seed cart with the current rules and voice docs, so an owner sees
 * what shoppers will get before going live. Writes HTML and text files and prints where they are.
 * Arguments (optional): --rules <file> --voice <file> --out <folder>. Defaults: docs/examples/*, .local/preview.
 * `--aws` renders with the docs a deployed stack last accepted (the rules loader's stored copies in cr-sends, read
 * with your AWS credentials and region; `--table` to name another), so the owner sees what shoppers get today.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openOperator } from '../src/local/operator';
import type { Rules } from '../src/domain/owner-docs/rules';
import type { Voice } from '../src/domain/owner-docs/voice';
import type { CartRow } from '../src/domain/cart/cart';
import { composeReminder } from '../src/domain/email/compose';
import { unsubscribeLinks } from '../src/domain/unsubscribe/links';
import type { ReminderStep } from '../src/domain/cart/reminder-step';
import { EXAMPLE_DOCS, readRulesDoc, readVoiceDoc } from '../src/local/system';
import { SEED_CART, seedCartRow, seedCartTotal, seedReturnUrl } from '../src/local/seed-cart';

const { values } = parseArgs({
  options: {
    rules: { type: 'string' },
    voice: { type: 'string' },
    out: { type: 'string' },
    aws: { type: 'boolean', default: false },
    table: { type: 'string' },
  },
});

/** The deployed stack's last accepted docs, as every function reads them. */
async function storedDocs(table: string | undefined): Promise<{ rules: Rules; voice: Voice; said: string }> {
  const system = openOperator({ where: 'aws', tables: { sends: table } });
  try {
    const [rules, voice] = await Promise.all([system.ownerDocs.rules(), system.ownerDocs.voice()]);
    if (!rules || !voice) {
      throw new Error(
        `no ${!rules ? 'rules' : 'voice'} doc was ever accepted in ${system.platform.tables.sends}: ` +
          `run npm run doctor -- --aws to see why`,
      );
    }
    return {
      rules: rules.value,
      voice: voice.value,
      said: `rules accepted ${rules.savedAt}, voice accepted ${voice.savedAt}`,
    };
  } finally {
    system.destroy();
  }
}

try {
  const { rules, voice, said } = values.aws
    ? await storedDocs(values.table)
    : {
        rules: readRulesDoc(values.rules ?? EXAMPLE_DOCS.rules),
        voice: readVoiceDoc(values.voice ?? EXAMPLE_DOCS.voice),
        said: 'the docs on this machine',
      };
  console.log(`Rendering with ${said}.`);
  const out = resolve(values.out ?? '.local/preview');
  mkdirSync(out, { recursive: true });

  // The seed cart, its prices read in the store's currency.
  const sample: CartRow = seedCartRow({
    cartId: 'preview-cart',
    total: seedCartTotal(rules.store.currency),
    returnUrl: seedReturnUrl('preview-cart'),
  });
  const links = unsubscribeLinks(
    'https://unsubscribe.example',
    'preview-only-key-not-secret',
    sample.cartId,
    SEED_CART.shopper.email,
  );
  for (const savedLink of [false, true]) {
    for (const step of ['first', 'second'] as ReminderStep[]) {
      const email = composeReminder({
        cart: { ...sample, savedLink },
        step,
        voice,
        store: rules.store,
        unsubscribeUrl: links.pageUrl,
      });
      const name = `${savedLink ? 'saved-link-' : ''}${step}-reminder`;
      writeFileSync(join(out, `${name}.html`), email.html);
      writeFileSync(join(out, `${name}.txt`), `Subject: ${email.subject}\n\n${email.text}`);
      console.log(`${name.padEnd(26)} "${email.subject}"  ${join(out, `${name}.html`)}`);
    }
  }
  console.log(
    "\nOpen the .html files in a browser. The opening line is the template's own; in production the model may polish " +
      'that one sentence.',
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
