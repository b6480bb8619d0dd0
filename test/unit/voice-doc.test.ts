import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DocProblem } from '../../src/domain/owner-docs/doc-text';
import { DEFAULT_EMAIL_WORDS, DEFAULT_VOICE, type Voice } from '../../src/domain/owner-docs/voice';
import {
  EMAIL_WORD_NAMES,
  isOneSentence,
  parseVoiceDoc,
  readPlaceholders,
  VOICE_FIELDS,
  VOICE_SECTIONS,
  voiceSchema,
} from '../../src/domain/owner-docs/voice-doc';

const { first, second } = DEFAULT_VOICE.templates;
const saved = DEFAULT_VOICE.savedLink;

/** A complete, valid voice doc holding the default voice; line n of the doc is VALID[n - 1]. */
const VALID: readonly string[] = [
  '# First reminder', //                         1
  `Subject: ${first.subject}`, //                2
  `Opening: ${first.opening}`, //                3
  `Body: ${first.body}`, //                      4
  `Button: ${first.button}`, //                  5
  '# Second reminder', //                        6
  `Subject: ${second.subject}`, //               7
  `Opening: ${second.opening}`, //               8
  `Body: ${second.body}`, //                     9
  `Button: ${second.button}`, //                10
  '# Saved link, first reminder', //            11
  `Subject: ${saved.first.subject}`, //         12
  `Opening: ${saved.first.opening}`, //         13
  '# Saved link, second reminder', //           14
  `Subject: ${saved.second.subject}`, //        15
  `Opening: ${saved.second.opening}`, //        16
  '# Voice', //                                 17
  DEFAULT_VOICE.description, //                 18
];

const doc = (lines: readonly string[]): string => lines.join('\n');

/** The valid doc with line n (1-based) replaced; pass undefined to delete it (later lines move up). */
function withLine(n: number, text: string | undefined): string {
  const lines = [...VALID];
  if (text === undefined) lines.splice(n - 1, 1);
  else lines[n - 1] = text;
  return doc(lines);
}

function voiceOf(text: string): Voice {
  const result = parseVoiceDoc(text);
  if (!result.ok)
    throw new Error(`expected the doc to parse, got:\n${result.problems.map((p) => p.message).join('\n')}`);
  return result.voice;
}

function problemsOf(text: string): DocProblem[] {
  const result = parseVoiceDoc(text);
  if (result.ok) throw new Error('expected the doc to be refused');
  return result.problems;
}

function expectOneProblem(text: string, line: number | undefined, message: RegExp): DocProblem {
  const problems = problemsOf(text);
  expect(problems.map((p) => p.message)).toHaveLength(1);
  expect(problems[0]?.line).toBe(line);
  expect(problems[0]?.message).toMatch(message);
  return problems[0] as DocProblem;
}

describe('the example voice doc', () => {
  it('parses cleanly to exactly the default voice', () => {
    const text = readFileSync(new URL('../../docs/examples/voice-doc.md', import.meta.url), 'utf8');
    expect(parseVoiceDoc(text)).toEqual({ ok: true, voice: DEFAULT_VOICE, warnings: [] });
  });
});

describe('a well-formed voice doc', () => {
  it('parses the plain form to the default voice', () => {
    expect(voiceOf(doc(VALID))).toEqual(DEFAULT_VOICE);
  });

  it('accepts headings without # marks, with colons, in other words, and bulleted fields', () => {
    const lines = VALID.map((line) => line.replace(/^# /, ''));
    lines[0] = 'Reminder 1:';
    lines[5] = '## 2nd reminder';
    lines[10] = 'Saved-link cart — first reminder';
    lines[13] = 'SAVED LINK SECOND';
    lines[16] = 'Our voice';
    lines[1] = `• Subject line: ${first.subject}`;
    lines[4] = `- Button label: ${first.button}`;
    expect(voiceOf(doc(lines))).toEqual(DEFAULT_VOICE);
  });

  it('accepts saved-link headings with the step first', () => {
    const lines = [...VALID];
    lines[10] = 'First reminder (saved link)';
    lines[13] = '### Reminder 2, saved cart:';
    expect(voiceOf(doc(lines))).toEqual(DEFAULT_VOICE);
  });

  it('reads fields written as table rows', () => {
    const lines = [...VALID];
    lines[1] = `Subject\t${first.subject}`;
    lines[4] = `| Button | ${first.button} |`;
    expect(voiceOf(doc(lines))).toEqual(DEFAULT_VOICE);
  });

  it('reads a body over several lines as paragraphs, until the next field', () => {
    const text = doc([
      ...VALID.slice(0, 3),
      'Body:', //                                  4
      'We kept everything as you left it.', //     5
      '', //                                       6
      'Questions? Just reply: we read every email.', // 7
      'Button: Return to your cart', //            8
      ...VALID.slice(5),
    ]);
    expect(voiceOf(text).templates.first.body).toBe(
      'We kept everything as you left it.\n\nQuestions? Just reply: we read every email.',
    );
  });

  it('takes the next line as the value of a field written with nothing after its colon', () => {
    const text = doc([...VALID.slice(0, 1), 'Subject:', 'Forgot something?', ...VALID.slice(2)]);
    expect(voiceOf(text).templates.first.subject).toBe('Forgot something?');
  });

  it('reads a Voice section of several lines, and "Voice: ..." on one line', () => {
    expect(voiceOf(doc([...VALID.slice(0, 17), '- Warm and brief.', '- No exclamation marks.'])).description).toBe(
      'Warm and brief.\nNo exclamation marks.',
    );
    expect(voiceOf(doc([...VALID.slice(0, 16), 'Voice: Dry wit, short sentences.'])).description).toBe(
      'Dry wit, short sentences.',
    );
  });

  it('accepts sections in any order and ignores a title and notes before the first section', () => {
    const text = doc([
      '# Voice doc for Linen & Larch',
      'Edit the wording below. Note: keep it short.',
      ...VALID.slice(16),
      ...VALID.slice(0, 16),
    ]);
    expect(voiceOf(text)).toEqual(DEFAULT_VOICE);
  });

  it('warns about, and ignores, notes between a heading and its first field', () => {
    const result = parseVoiceDoc(
      doc([...VALID.slice(0, 1), 'Sent a few hours after the cart is left.', ...VALID.slice(1)]),
    );
    expect(result).toMatchObject({ ok: true, voice: DEFAULT_VOICE });
    expect(result.ok && result.warnings).toEqual([
      expect.objectContaining({
        line: 2,
        message: expect.stringMatching(/line 2 under "First reminder" comes before any field/),
      }),
    ]);
  });

  it('gives a voice that passes the voice schema', () => {
    expect(voiceSchema.safeParse(voiceOf(doc(VALID))).success).toBe(true);
  });

  it('documents every section and field name', () => {
    const reference = readFileSync(new URL('../../docs/voice-doc.md', import.meta.url), 'utf8');
    for (const name of [...VOICE_SECTIONS, ...VOICE_FIELDS]) expect(reference).toContain(name.display);
  });
});

describe('placeholders', () => {
  it('finds the known placeholders', () => {
    expect(readPlaceholders('{greeting}, {items_summary} for {total}')).toEqual({
      names: ['greeting', 'items_summary', 'total'],
      issues: [],
    });
  });

  it('refuses an unknown placeholder, naming the line and listing the allowed names', () => {
    const problem = expectOneProblem(
      withLine(8, 'Opening: Hi {firstname}, we saved your cart in case you still want it.'),
      8,
      new RegExp(
        /^unknown placeholder \{firstname\} on line 8; /.source +
          /use one of \{first_name\}, \{greeting\}, \{store_name\}, \{item_count\}, \{items_summary\}, \{total\}/
            .source +
          / \(did you mean \{first_name\}\?\)$/.source,
      ),
    );
    expect(problem.text).toBe('Opening: Hi {firstname}, we saved your cart in case you still want it.');
  });

  it('refuses a placeholder in the wrong case', () => {
    expectOneProblem(
      withLine(2, 'Subject: {Store_Name} saved your cart'),
      2,
      /unknown placeholder \{Store_Name\} on line 2/,
    );
  });

  it('refuses an unknown placeholder in a later body paragraph on its own line', () => {
    const text = doc([...VALID.slice(0, 3), 'Body: All still here.', '', 'Thanks, {owner}', ...VALID.slice(4)]);
    expectOneProblem(text, 6, /unknown placeholder \{owner\} on line 6/);
  });

  it('refuses an unclosed brace', () => {
    expectOneProblem(withLine(9, 'Body: It is all still there, {total in all.'), 9, /unmatched "\{" on line 9/);
  });

  it('refuses a stray closing brace', () => {
    expectOneProblem(withLine(5, 'Button: Back to your cart}'), 5, /unmatched "\}" on line 5/);
  });

  it('refuses doubled braces', () => {
    const problems = problemsOf(withLine(2, 'Subject: {{greeting}} still there?'));
    expect(problems.map((p) => p.line)).toEqual([2, 2]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/unmatched "\{" on line 2/),
      expect.stringMatching(/unmatched "\}" on line 2/),
    ]);
  });
});

describe('broken voice docs', () => {
  it('refuses a doc without the Voice section', () => {
    expectOneProblem(doc(VALID.slice(0, 16)), undefined, /the "Voice" section is missing; add a heading "Voice"/);
  });

  it('refuses an empty Voice section, naming its heading line', () => {
    expectOneProblem(doc(VALID.slice(0, 17)), 17, /the "Voice" section \(line 17\) is empty/);
  });

  it('refuses a doc without the second reminder', () => {
    expectOneProblem(
      doc([...VALID.slice(0, 5), ...VALID.slice(10)]),
      undefined,
      new RegExp(
        /the "Second reminder" section is missing; /.source +
          /add a heading "Second reminder" with Subject, Opening, Body, Button lines/.source,
      ),
    );
  });

  it('refuses a doc without the saved-link sections, one problem each', () => {
    const problems = problemsOf(doc([...VALID.slice(0, 10), ...VALID.slice(16)]));
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/"Saved link, first reminder" section is missing.*Subject, Opening lines/),
      expect.stringMatching(/"Saved link, second reminder" section is missing/),
    ]);
  });

  it('refuses an empty doc with every section missing', () => {
    expect(problemsOf('')).toHaveLength(5);
  });

  it('refuses a section without its button, naming the heading line', () => {
    expectOneProblem(withLine(10, undefined), 6, /the "Second reminder" section \(line 6\) has no Button line/);
  });

  it('refuses a body or button in a saved-link section', () => {
    const text = doc([...VALID.slice(0, 13), 'Button: Back to it', ...VALID.slice(13)]);
    expectOneProblem(
      text,
      14,
      new RegExp(
        /Button on line 14 is not used in the "Saved link, first reminder" section; /.source +
          /saved-link wording has only Subject and Opening/.source,
      ),
    );
  });

  it('refuses a field given twice in one section, naming both lines', () => {
    const text = doc([...VALID.slice(0, 2), 'Subject: Forgot something?', ...VALID.slice(2)]);
    expectOneProblem(text, 3, /Subject appears twice in the "First reminder" section, on line 2 and line 3/);
  });

  it('refuses a section given twice, naming both lines', () => {
    const text = doc([...VALID, '# First reminder', 'Subject: Another']);
    expectOneProblem(text, 19, /the "First reminder" section appears twice, on line 1 and line 19/);
  });

  it('refuses a subject over 120 characters', () => {
    expectOneProblem(
      withLine(7, `Subject: ${'a'.repeat(121)}`),
      7,
      /Subject on line 7 in "Second reminder" is longer than 120 characters \(it has 121\)/,
    );
  });

  it('accepts a subject of exactly 120 characters', () => {
    expect(voiceOf(withLine(7, `Subject: ${'a'.repeat(120)}`)).templates.second.subject).toHaveLength(120);
  });

  it('refuses an opening over 200 characters', () => {
    expectOneProblem(
      withLine(3, `Opening: ${'b'.repeat(201)}`),
      3,
      /Opening on line 3 in "First reminder" is longer than 200 characters/,
    );
  });

  it('refuses an opening of two sentences', () => {
    expectOneProblem(
      withLine(13, 'Opening: Your cart is waiting. Come back soon.'),
      13,
      /Opening on line 13 in "Saved link, first reminder" must be one sentence/,
    );
  });

  it('refuses a button label over 40 characters', () => {
    expectOneProblem(
      withLine(5, `Button: ${'c'.repeat(41)}`),
      5,
      /Button on line 5 in "First reminder" is longer than 40 characters/,
    );
  });

  it('refuses an empty field', () => {
    expectOneProblem(withLine(5, 'Button:'), 5, /Button on line 5 in "First reminder" is empty/);
  });

  it('refuses a mistyped field name with a suggestion', () => {
    expectOneProblem(
      withLine(5, 'Buton: Return to your cart'),
      5,
      /unknown field "Buton" on line 5; did you mean "Button"\?/,
    );
  });

  it('refuses a mistyped section heading with a suggestion', () => {
    // The fields under it then sit under no section; the typo is the problem to fix, so it is the only one.
    expectOneProblem(
      withLine(6, '# Secnd reminder'),
      6,
      /^unknown section "Secnd reminder" on line 6; did you mean "Second reminder"\?$/,
    );
  });

  it('refuses a stray line after a one-line field', () => {
    const text = doc([...VALID.slice(0, 2), 'and some more words', ...VALID.slice(2)]);
    expectOneProblem(
      text,
      3,
      /line 3 in the "First reminder" section is not part of any field; only the Body may run over several lines/,
    );
  });

  it('refuses a field outside any section', () => {
    expectOneProblem(doc(['Subject: Hello', ...VALID]), 1, /Subject on line 1 is not under a section heading/);
  });

  it('refuses a field under the Voice heading', () => {
    expectOneProblem(doc([...VALID, 'Button: Come back']), 19, /Button on line 19 is under the "Voice" heading/);
  });

  it('refuses text on a reminder heading line', () => {
    const problems = problemsOf(withLine(1, 'First reminder: Still thinking it over?'));
    expect(problems[0]).toMatchObject({
      line: 1,
      message: expect.stringMatching(/"First reminder" heading on line 1 has text after it/),
    });
  });

  it('reports every problem together, in line order', () => {
    const lines = [...VALID];
    lines[1] = 'Subject: {firstname}';
    lines[4] = `Button: ${'c'.repeat(41)}`;
    lines[12] = 'Opening: One. Two.';
    expect(problemsOf(doc(lines)).map((p) => p.line)).toEqual([2, 5, 13]);
  });
});

describe('isOneSentence', () => {
  it.each([
    ['Still thinking it over? Your cart is still here.', true],
    ['{greeting}, one last nudge: we saved your cart.', true],
    ['Your cart... still here.', true],
    ['It costs $1.50 in all.', true],
    ['One. Two.', false],
    ['Wow! Still here.', false],
  ])('%s -> %s', (text, expected) => {
    expect(isOneSentence(text)).toBe(expected);
  });
});

describe('the email words (issue 16)', () => {
  const GERMAN = readFileSync(new URL('../../docs/examples/voice-doc-de.md', import.meta.url), 'utf8');

  it('reads every fixed word and the language from the German example', () => {
    expect(voiceOf(GERMAN).words).toEqual({
      language: 'de-DE',
      greeting: 'Hallo {first_name}',
      greetingNoName: 'Guten Tag',
      yourCart: 'Ihr Warenkorb',
      quantity: 'Menge',
      total: 'Summe',
      and: 'und',
      more: '{count} weitere',
      yourItems: 'Ihre Artikel',
      why: 'Sie erhalten diese E-Mail, weil Sie bei {store_name} Artikel im Warenkorb gelassen haben.',
      unsubscribePrompt: 'Keine Erinnerungen mehr?',
      unsubscribe: 'Abmelden',
    });
  });

  it('keeps English for every word a doc does not set, and for a doc without the section', () => {
    expect(voiceOf(doc(VALID)).words).toEqual(DEFAULT_EMAIL_WORDS);
    expect(voiceOf(doc([...VALID, '## Email words', 'Total: Summe', 'Language: de-de'])).words).toEqual({
      ...DEFAULT_EMAIL_WORDS,
      total: 'Summe',
      language: 'de-DE',
    });
  });

  it.each([
    ['Langauge: de-DE', /unknown email word "Langauge" on line 20; did you mean "Language"\?/],
    [
      'Language: Deutsch',
      /Language on line 20 is "Deutsch": write a language tag such as en-US, en-GB, de-DE or fr-FR/,
    ],
    ['Greeting: Hallo', /Greeting on line 20 needs \{first_name\} where the value goes, like "Hi \{first_name\}"/],
    ['Greeting: Hallo {frist_name}', /Greeting on line 20 may use only \{first_name\} \(it has \{frist_name\}\)/],
    ['Total: Summe {total}', /Total on line 20 takes no placeholders \(it has \{total\}\)/],
    ['More: weitere', /More on line 20 needs \{count\}/],
    ['Colour: blue', /"Colour" on line 20 is not one of the email words; the words are Language, Greeting, /],
    ['Total:', /Total on line 20 is empty/],
  ])('refuses %s, naming the line', (line, message) => {
    expectOneProblem(doc([...VALID, '## Email words', line]), 20, message);
  });

  it('refuses a word set twice', () => {
    expectOneProblem(
      doc([...VALID, '## Email words', 'Total: Summe', 'Total: Gesamt']),
      21,
      /Total appears twice in "Email words", on line 20 and line 21/,
    );
  });

  it('documents every email word', () => {
    const reference = readFileSync(new URL('../../docs/voice-doc.md', import.meta.url), 'utf8');
    for (const word of EMAIL_WORD_NAMES) expect(reference).toContain(`\`${word.display}\``);
  });
});
