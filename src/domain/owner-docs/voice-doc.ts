/**
 * Parses the owner's voice doc (plain text of a Google Doc) into {@link Voice}.
 *
 * The doc has one section per reminder step (Subject, Opening, Body, Button), two saved-link sections (Subject,
 * Opening) and a Voice section describing how the store sounds. Every section and field must be there: the
 * voice doc has no silent defaults, because a missing line would otherwise send wording the owner never saw.
 * Any problem rejects the whole doc; the caller keeps the last good voice. Documented in docs/voice-doc.md.
 */
import * as z from 'zod';
import {
  type DocLine,
  type DocProblem,
  editDistance,
  type KnownName,
  NameMatcher,
  normaliseName,
  quote,
  readDocLines,
  sortProblems,
  splitKeyValue,
} from './doc-text';
import {
  DEFAULT_EMAIL_WORDS,
  type EmailWords,
  type SavedLinkWording,
  type StepTemplate,
  TEMPLATE_PLACEHOLDERS,
  type TemplatePlaceholder,
  type Voice,
} from './voice';

/** The parsed voice and any notes worth showing the owner, or every problem found (then nothing is applied). */
export type VoiceDocResult =
  | { readonly ok: true; readonly voice: Voice; readonly warnings: DocProblem[] }
  | { readonly ok: false; readonly problems: DocProblem[] };

/** Identifies the sections of the voice doc. */
export type VoiceSectionId = 'first' | 'second' | 'savedLinkFirst' | 'savedLinkSecond' | 'voice' | 'words';

/** Identifies the fields of a reminder section. */
export type VoiceFieldId = 'subject' | 'opening' | 'body' | 'button';

/** Longest subject line, in characters (placeholders counted as written). */
export const MAX_SUBJECT_LENGTH = 120;
/** Longest opening sentence, in characters. */
export const MAX_OPENING_LENGTH = 200;
/** Longest button label, in characters. */
export const MAX_BUTTON_LENGTH = 40;
/** Longest body (all paragraphs), in characters. */
export const MAX_BODY_LENGTH = 2000;
/** Longest voice description, in characters. */
export const MAX_DESCRIPTION_LENGTH = 1000;

function savedLinkAliases(steps: readonly string[]): string[] {
  const aliases: string[] = [];
  for (const saved of ['saved link', 'saved link cart', 'saved cart']) {
    for (const step of steps) aliases.push(`${saved} ${step}`, `${step} ${saved}`);
  }
  return aliases;
}

/** The sections and the names owners may give their headings (compared after normalisation). */
export const VOICE_SECTIONS: readonly KnownName<VoiceSectionId>[] = [
  {
    id: 'first',
    display: 'First reminder',
    aliases: ['1st reminder', 'reminder 1', 'first email', 'first reminder email'],
  },
  {
    id: 'second',
    display: 'Second reminder',
    aliases: ['2nd reminder', 'reminder 2', 'second email', 'second reminder email'],
  },
  {
    id: 'savedLinkFirst',
    display: 'Saved link, first reminder',
    aliases: savedLinkAliases(['first reminder', '1st reminder', 'reminder 1', 'first']),
  },
  {
    id: 'savedLinkSecond',
    display: 'Saved link, second reminder',
    aliases: savedLinkAliases(['second reminder', '2nd reminder', 'reminder 2', 'second']),
  },
  {
    id: 'voice',
    display: 'Voice',
    aliases: ['store voice', 'our voice', 'brand voice', 'tone of voice', 'voice description'],
  },
  {
    id: 'words',
    display: 'Email words',
    aliases: ['fixed words', 'email wording', 'standard words', 'words of the email', 'language and words'],
  },
];

/** The fixed words the "Email words" section may set, and the names owners may use for them. */
export const EMAIL_WORD_NAMES: readonly KnownName<keyof EmailWords>[] = [
  { id: 'language', display: 'Language', aliases: ['locale', 'language and region', 'money format', 'number format'] },
  { id: 'greeting', display: 'Greeting', aliases: ['greeting with a name', 'greeting with name'] },
  {
    id: 'greetingNoName',
    display: 'Greeting without a name',
    aliases: ['greeting without name', 'greeting no name', 'greeting when no name'],
  },
  { id: 'yourCart', display: 'Your cart', aliases: ['cart heading'] },
  { id: 'quantity', display: 'Quantity', aliases: ['qty', 'quantity label'] },
  { id: 'total', display: 'Total', aliases: ['total label'] },
  { id: 'and', display: 'And', aliases: [] },
  { id: 'more', display: 'More', aliases: ['and more', 'more items'] },
  { id: 'yourItems', display: 'Your items', aliases: [] },
  { id: 'why', display: 'Why you get this', aliases: ['why', 'why line', 'why you are getting this', 'footer reason'] },
  { id: 'unsubscribePrompt', display: 'Unsubscribe question', aliases: ['unsubscribe prompt', 'no more reminders'] },
  { id: 'unsubscribe', display: 'Unsubscribe', aliases: ['unsubscribe link', 'unsubscribe link text'] },
];

/** The placeholders each fixed word must (or may) contain; every other word has none. */
const WORD_PLACEHOLDERS: Partial<Record<keyof EmailWords, { readonly name: string; readonly required: boolean }>> = {
  greeting: { name: 'first_name', required: true },
  more: { name: 'count', required: true },
  why: { name: 'store_name', required: false },
};
/** Longest fixed word or line, in characters. */
export const MAX_EMAIL_WORD_LENGTH = 200;

/** The fields of a reminder section and the names owners may use for them. */
export const VOICE_FIELDS: readonly KnownName<VoiceFieldId>[] = [
  { id: 'subject', display: 'Subject', aliases: ['subject line', 'email subject'] },
  { id: 'opening', display: 'Opening', aliases: ['opening line', 'opening sentence', 'opener'] },
  { id: 'body', display: 'Body', aliases: ['body text', 'main text'] },
  { id: 'button', display: 'Button', aliases: ['button label', 'button text'] },
];

const SECTION_NAMES = new NameMatcher(VOICE_SECTIONS);
const WORD_NAMES = new NameMatcher(EMAIL_WORD_NAMES);
const FIELD_NAMES = new NameMatcher(VOICE_FIELDS);
const STEP_SECTIONS = ['first', 'second', 'savedLinkFirst', 'savedLinkSecond'] as const;
type StepSectionId = (typeof STEP_SECTIONS)[number];
const FIELDS_OF: Readonly<Record<StepSectionId, readonly VoiceFieldId[]>> = {
  first: ['subject', 'opening', 'body', 'button'],
  second: ['subject', 'opening', 'body', 'button'],
  savedLinkFirst: ['subject', 'opening'],
  savedLinkSecond: ['subject', 'opening'],
};

function sectionDisplay(id: VoiceSectionId): string {
  return VOICE_SECTIONS.find((section) => section.id === id)?.display ?? id;
}

function fieldDisplay(id: VoiceFieldId): string {
  return VOICE_FIELDS.find((field) => field.id === id)?.display ?? id;
}

/**
 * True when text is one sentence: no full stop or exclamation mark followed by more text. A short question
 * first ("Still thinking it over? Your cart is still here.") is allowed, and so is an ellipsis.
 */
export function isOneSentence(text: string): boolean {
  return !/(?<!\.)[.!](?!\.)\s+\S/.test(text.trim());
}

const lengthMessage = (max: number): string => `is longer than ${max} characters`;

/** Bounds on each piece of wording; messages complete the sentence "<Field> on line N ...". */
export const voiceFieldSchemas = {
  subject: z.string().trim().min(1, 'is empty').max(MAX_SUBJECT_LENGTH, lengthMessage(MAX_SUBJECT_LENGTH)),
  opening: z
    .string()
    .trim()
    .min(1, 'is empty')
    .max(MAX_OPENING_LENGTH, lengthMessage(MAX_OPENING_LENGTH))
    .refine(isOneSentence, 'must be one sentence (a short question before it is fine); move the rest into the Body'),
  body: z.string().trim().min(1, 'is empty').max(MAX_BODY_LENGTH, lengthMessage(MAX_BODY_LENGTH)),
  button: z.string().trim().min(1, 'is empty').max(MAX_BUTTON_LENGTH, lengthMessage(MAX_BUTTON_LENGTH)),
  description: z.string().trim().min(1, 'is empty').max(MAX_DESCRIPTION_LENGTH, lengthMessage(MAX_DESCRIPTION_LENGTH)),
} as const;

const stepSchema = z.object({
  subject: voiceFieldSchemas.subject,
  opening: voiceFieldSchemas.opening,
  body: voiceFieldSchemas.body,
  button: voiceFieldSchemas.button,
});
const savedLinkSchema = z.object({ subject: voiceFieldSchemas.subject, opening: voiceFieldSchemas.opening });

/** The whole voice, for checking a voice that did not come from a doc (placeholders are not checked here). */
export const voiceSchema = z.object({
  templates: z.object({ first: stepSchema, second: stepSchema }),
  savedLink: z.object({ first: savedLinkSchema, second: savedLinkSchema }),
  description: voiceFieldSchemas.description,
});

/** Something wrong with the braces in a piece of template text. */
export type PlaceholderIssue =
  | { readonly kind: 'unknown'; readonly name: string; readonly suggestion: TemplatePlaceholder | undefined }
  | { readonly kind: 'unmatchedOpen'; readonly after: string }
  | { readonly kind: 'unmatchedClose'; readonly after: string };

/** The placeholders a piece of template text uses, and any brace problems in it. */
export function readPlaceholders(text: string): {
  readonly names: TemplatePlaceholder[];
  readonly issues: PlaceholderIssue[];
} {
  const names: TemplatePlaceholder[] = [];
  const issues: PlaceholderIssue[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '}') {
      issues.push({ kind: 'unmatchedClose', after: text.slice(Math.max(0, index - 20), index) });
      index++;
    } else if (char === '{') {
      const close = text.indexOf('}', index + 1);
      const nextOpen = text.indexOf('{', index + 1);
      // A "{" with no "}" before the next "{" (or the end) is unbalanced; carry on after it.
      if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
        issues.push({ kind: 'unmatchedOpen', after: text.slice(Math.max(0, index - 20), index + 1) });
        index++;
        continue;
      }
      const name = text.slice(index + 1, close);
      if ((TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
        names.push(name as TemplatePlaceholder);
      } else {
        issues.push({ kind: 'unknown', name, suggestion: closestPlaceholder(name) });
      }
      index = close + 1;
    } else {
      index++;
    }
  }
  return { names, issues };
}

function closestPlaceholder(name: string): TemplatePlaceholder | undefined {
  const wanted = normaliseName(name);
  let best: { name: TemplatePlaceholder; distance: number } | undefined;
  for (const known of TEMPLATE_PLACEHOLDERS) {
    const distance = editDistance(wanted, normaliseName(known));
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: known, distance };
  }
  return best?.name;
}

const ALLOWED_PLACEHOLDERS = TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(', ');

function placeholderMessage(issue: PlaceholderIssue, line: number): string {
  switch (issue.kind) {
    case 'unknown':
      return (
        `unknown placeholder {${issue.name}} on line ${line}; use one of ${ALLOWED_PLACEHOLDERS}` +
        (issue.suggestion === undefined ? '' : ` (did you mean {${issue.suggestion}}?)`)
      );
    case 'unmatchedOpen':
      return `unmatched "{" on line ${line} (at ${quote(issue.after)}); close it with "}" or remove it`;
    case 'unmatchedClose':
      return `unmatched "}" on line ${line} (after ${quote(issue.after)}); open it with "{" or remove it`;
  }
}

/** One field as the doc wrote it: its line, and the value (body paragraphs with their own lines). */
interface FieldDraft {
  readonly line: DocLine;
  readonly parts: { readonly text: string; readonly line: DocLine }[];
}

interface SectionDraft {
  readonly id: VoiceSectionId;
  readonly heading: DocLine;
  readonly fields: Map<VoiceFieldId, FieldDraft>;
  /** Voice section only: its description lines. */
  readonly description: { readonly text: string; readonly line: DocLine }[];
  /** Fields already reported as mistyped, so they are not also reported missing. */
  readonly mistyped: Set<VoiceFieldId>;
}

/** Reads a voice doc; every section and field is required (see docs/voice-doc.md). */
export function parseVoiceDoc(text: string): VoiceDocResult {
  const problems: DocProblem[] = [];
  const warnings: DocProblem[] = [];
  const sections = new Map<VoiceSectionId, SectionDraft>();
  // Sections already reported as mistyped headings, so they are not also reported missing.
  const mistypedSections = new Set<VoiceSectionId>();
  const problem = (line: DocLine | undefined, message: string): void => {
    problems.push(line === undefined ? { line: undefined, message } : { line: line.number, text: line.raw, message });
  };

  let current: SectionDraft | undefined;
  const words: { -readonly [K in keyof EmailWords]?: { value: string; line: DocLine } } = {};
  // Lines under a mistyped heading are covered by the heading's problem; reporting each of them adds noise.
  let underMistypedHeading = false;
  /** The field whose value the next content line continues: the body, or a field written with an empty value. */
  let open: { field: VoiceFieldId; draft: FieldDraft } | undefined;

  const startSection = (id: VoiceSectionId, line: DocLine): SectionDraft => {
    const earlier = sections.get(id);
    if (earlier !== undefined) {
      problem(
        line,
        `the "${sectionDisplay(id)}" section appears twice, on line ${earlier.heading.number} and ` +
          `line ${line.number}; keep one`,
      );
    }
    const section: SectionDraft = { id, heading: line, fields: new Map(), description: [], mistyped: new Set() };
    // The first of two is kept so the duplicate problem is the only one reported about it.
    if (earlier === undefined) sections.set(id, section);
    return section;
  };

  for (const line of readDocLines(text)) {
    if (line.text === '' || (line.cells !== undefined && line.cells.length === 0)) continue;

    const heading = readHeading(line);
    if (heading.kind !== 'notHeading') underMistypedHeading = heading.kind === 'typo';
    if (heading.kind === 'section') {
      current = startSection(heading.id, line);
      open = undefined;
      if (heading.inlineText !== '') {
        if (heading.id === 'voice') current.description.push({ text: heading.inlineText, line });
        else if (heading.id === 'words')
          problem(
            line,
            `the "Email words" heading on line ${line.number} has text after it; put each word on its own line under ` +
              `the heading, like "Total: Summe"`,
          );
        else {
          problem(
            line,
            `the "${sectionDisplay(heading.id)}" heading on line ${line.number} has text after it; put the wording ` +
              `on Subject, Opening${
                FIELDS_OF[heading.id].includes('body') ? ', Body and Button' : ''
              } lines under the heading`,
          );
        }
      }
      continue;
    }
    if (heading.kind === 'typo') {
      problem(
        line,
        `unknown section "${heading.written}" on line ${line.number}; did you mean ` +
          `"${sectionDisplay(heading.suggestion)}"?`,
      );
      mistypedSections.add(heading.suggestion);
      current = undefined;
      open = undefined;
      continue;
    }
    if (heading.kind === 'other') {
      // A heading the doc does not know (a title, a note) ends the current section.
      current = undefined;
      open = undefined;
      continue;
    }

    if (current?.id === 'words') {
      readWordLine(line, words, problem, warnings);
      continue;
    }

    const field = readFieldLine(line);
    if (field.kind === 'typo') {
      problem(
        line,
        `unknown field "${field.written}" on line ${line.number}; did you mean "${fieldDisplay(field.suggestion)}"?`,
      );
      current?.mistyped.add(field.suggestion);
      open = undefined;
      continue;
    }

    if (current === undefined) {
      if (field.kind === 'field' && !underMistypedHeading) {
        problem(
          line,
          `${fieldDisplay(field.id)} on line ${line.number} is not under a section heading; put it under a heading ` +
            `such as "First reminder"`,
        );
      }
      // Other lines before the first section (a title, instructions) are the owner's notes.
      continue;
    }

    if (current.id === 'voice') {
      if (field.kind === 'field') {
        problem(
          line,
          `${fieldDisplay(field.id)} on line ${line.number} is under the "Voice" heading; put it under a reminder ` +
            `heading such as "First reminder"`,
        );
        continue;
      }
      current.description.push({ text: line.text, line });
      continue;
    }

    const stepId = current.id;
    if (field.kind === 'field') {
      open = undefined;
      if (!FIELDS_OF[stepId].includes(field.id)) {
        problem(
          line,
          `${fieldDisplay(field.id)} on line ${line.number} is not used in the "${sectionDisplay(stepId)}" section; ` +
            `saved-link wording has only Subject and Opening (the body and button come from the matching reminder)`,
        );
        continue;
      }
      const earlier = current.fields.get(field.id);
      if (earlier !== undefined) {
        problem(
          line,
          `${fieldDisplay(field.id)} appears twice in the "${sectionDisplay(stepId)}" section, on ` +
            `line ${earlier.line.number} and line ${line.number}; keep one`,
        );
        continue;
      }
      const draft: FieldDraft = { line, parts: field.value === '' ? [] : [{ text: field.value, line }] };
      current.fields.set(field.id, draft);
      // The body runs on over the following lines; other fields take the next line only when left empty here.
      if (field.id === 'body' || field.value === '') open = { field: field.id, draft };
      continue;
    }

    // A content line that is not a field.
    if (open !== undefined) {
      open.draft.parts.push({ text: open.field === 'body' ? line.raw : line.text, line });
      if (open.field !== 'body') open = undefined;
      continue;
    }
    if (current.fields.size === 0) {
      warnings.push({
        line: line.number,
        text: line.raw,
        message: `line ${line.number} under "${sectionDisplay(stepId)}" comes before any field and was ignored`,
      });
      continue;
    }
    problem(
      line,
      `line ${line.number} in the "${sectionDisplay(stepId)}" section is not part of any field; only the Body may ` +
        `run over several lines (start the line with a field name such as "Body:")`,
    );
  }

  const voice = assembleVoice(sections, mistypedSections, problem);
  if (problems.length > 0 || voice === undefined) return { ok: false, problems: sortProblems(problems) };
  const given = Object.fromEntries(Object.entries(words).map(([id, word]) => [id, word.value]));
  return {
    ok: true,
    voice: { ...voice, words: { ...DEFAULT_EMAIL_WORDS, ...given } },
    warnings: sortProblems(warnings),
  };
}

type HeadingRead =
  | { readonly kind: 'section'; readonly id: VoiceSectionId; readonly inlineText: string }
  | { readonly kind: 'typo'; readonly written: string; readonly suggestion: VoiceSectionId }
  | { readonly kind: 'other' }
  | { readonly kind: 'notHeading' };

function readHeading(line: DocLine): HeadingRead {
  const bare = line.text.replace(/:\s*$/, '').trim();
  const marked = line.headingLevel > 0;
  const match = SECTION_NAMES.match(bare);
  if (match.kind === 'exact') return { kind: 'section', id: match.known.id, inlineText: '' };
  // "Voice: warm and brief" starts the Voice section with its first line.
  const keyValue = line.cells === undefined ? splitKeyValue(line) : undefined;
  if (!marked && keyValue !== undefined) {
    const inline = SECTION_NAMES.match(keyValue.key);
    if (inline.kind === 'exact') return { kind: 'section', id: inline.known.id, inlineText: keyValue.value };
  }
  // A short line with no sentence punctuation might be a mistyped heading even without '#' marks.
  const headingShaped = marked || (/^[^.!?:]*$/.test(bare) && bare.split(/\s+/).length <= 5);
  if (headingShaped && match.kind === 'close') {
    return { kind: 'typo', written: bare, suggestion: match.known.id };
  }
  return marked ? { kind: 'other' } : { kind: 'notHeading' };
}

type FieldRead =
  | { readonly kind: 'field'; readonly id: VoiceFieldId; readonly value: string }
  | { readonly kind: 'typo'; readonly written: string; readonly suggestion: VoiceFieldId }
  | { readonly kind: 'content' };

function readFieldLine(line: DocLine): FieldRead {
  const keyValue = splitKeyValue(line);
  if (keyValue === undefined) return { kind: 'content' };
  const match = FIELD_NAMES.match(keyValue.key);
  if (match.kind === 'exact') return { kind: 'field', id: match.known.id, value: keyValue.value };
  // Only a short key can be a mistyped field name; longer text before a colon is a body sentence.
  if (match.kind === 'close' && keyValue.key.split(/\s+/).length <= 3) {
    return { kind: 'typo', written: keyValue.key, suggestion: match.known.id };
  }
  return { kind: 'content' };
}

type ProblemSink = (line: DocLine | undefined, message: string) => void;

function assembleVoice(
  sections: ReadonlyMap<VoiceSectionId, SectionDraft>,
  mistypedSections: ReadonlySet<VoiceSectionId>,
  problem: ProblemSink,
): Voice | undefined {
  const templates: Partial<Record<'first' | 'second', StepTemplate>> = {};
  const savedLink: Partial<Record<'first' | 'second', SavedLinkWording>> = {};

  for (const id of STEP_SECTIONS) {
    const section = sections.get(id);
    if (section === undefined) {
      if (mistypedSections.has(id)) continue;
      const fields = FIELDS_OF[id].map(fieldDisplay).join(', ');
      problem(
        undefined,
        `the "${sectionDisplay(id)}" section is missing; ` +
          `add a heading "${sectionDisplay(id)}" with ${fields} lines under it`,
      );
      continue;
    }
    const values: Partial<Record<VoiceFieldId, string>> = {};
    for (const field of FIELDS_OF[id]) {
      const value = readField(section, field, problem);
      if (value !== undefined) values[field] = value;
    }
    if (id === 'first' || id === 'second') {
      const { subject, opening, body, button } = values;
      if (subject !== undefined && opening !== undefined && body !== undefined && button !== undefined) {
        templates[id] = { subject, opening, body, button };
      }
    } else {
      const { subject, opening } = values;
      if (subject !== undefined && opening !== undefined) {
        savedLink[id === 'savedLinkFirst' ? 'first' : 'second'] = { subject, opening };
      }
    }
  }

  const voiceSection = sections.get('voice');
  const description =
    voiceSection === undefined && mistypedSections.has('voice') ? undefined : readDescription(voiceSection, problem);
  const { first, second } = templates;
  const { first: savedFirst, second: savedSecond } = savedLink;
  if (first === undefined || second === undefined || savedFirst === undefined || savedSecond === undefined)
    return undefined;
  if (description === undefined) return undefined;
  return { templates: { first, second }, savedLink: { first: savedFirst, second: savedSecond }, description };
}

function readField(section: SectionDraft, field: VoiceFieldId, problem: ProblemSink): string | undefined {
  const name = fieldDisplay(field);
  const draft = section.fields.get(field);
  if (draft === undefined) {
    if (section.mistyped.has(field)) return undefined;
    problem(
      section.heading,
      `the "${sectionDisplay(section.id)}" section (line ${section.heading.number}) ` +
        `has no ${name} line; add "${name}: ..."`,
    );
    return undefined;
  }
  let placeholdersOk = true;
  for (const part of draft.parts) {
    for (const issue of readPlaceholders(part.text).issues) {
      problem(part.line, placeholderMessage(issue, part.line.number));
      placeholdersOk = false;
    }
  }
  // Each body line is one paragraph; the email separates paragraphs with a blank line.
  const value = draft.parts.map((part) => part.text.trim()).join('\n\n');
  const checked = voiceFieldSchemas[field].safeParse(value);
  if (!checked.success) {
    const where = `${name} on line ${draft.line.number} in "${sectionDisplay(section.id)}"`;
    for (const issue of checked.error.issues) {
      const measured = issue.code === 'too_big' ? ` (it has ${value.trim().length})` : '';
      problem(draft.line, `${where} ${issue.message}${measured}`);
    }
    return undefined;
  }
  return placeholdersOk ? checked.data : undefined;
}

function readDescription(section: SectionDraft | undefined, problem: ProblemSink): string | undefined {
  if (section === undefined) {
    problem(
      undefined,
      'the "Voice" section is missing; add a heading "Voice" and a few lines on how the store sounds, e.g. "Warm, ' +
        'brief and plain-spoken."',
    );
    return undefined;
  }
  const description = section.description.map((part) => part.text).join('\n');
  const checked = voiceFieldSchemas.description.safeParse(description);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      problem(
        section.heading,
        `the "Voice" section (line ${section.heading.number}) ${issue.message}` +
          (issue.code === 'too_big'
            ? ` (it has ${description.trim().length})`
            : '; add a few lines on how the store sounds'),
      );
    }
    return undefined;
  }
  return checked.data;
}

/** Reads one line of the "Email words" section into `words`: "Total: Summe". */
function readWordLine(
  line: DocLine,
  words: { -readonly [K in keyof EmailWords]?: { value: string; line: DocLine } },
  problem: ProblemSink,
  warnings: DocProblem[],
): void {
  const keyValue = splitKeyValue(line);
  const match = keyValue === undefined ? undefined : WORD_NAMES.match(keyValue.key);
  if (keyValue === undefined || match === undefined || match.kind === 'none') {
    if (keyValue !== undefined && keyValue.key.split(/\s+/).length <= 3) {
      const known = EMAIL_WORD_NAMES.map((word) => word.display).join(', ');
      problem(line, `"${keyValue.key}" on line ${line.number} is not one of the email words; the words are ${known}`);
    } else {
      warnings.push({
        line: line.number,
        text: line.raw,
        message: `line ${line.number} under "Email words" is not a word and was ignored`,
      });
    }
    return;
  }
  const name = match.known.display;
  if (match.kind === 'close') {
    problem(line, `unknown email word "${keyValue.key}" on line ${line.number}; did you mean "${name}"?`);
    return;
  }
  const id = match.known.id;
  const earlier = words[id];
  if (earlier !== undefined) {
    problem(
      line,
      `${name} appears twice in "Email words", on line ${earlier.line.number} and line ${line.number}; keep one`,
    );
    return;
  }
  const value = keyValue.value.replace(/\s+/g, ' ').trim();
  const where = `${name} on line ${line.number}`;
  if (value === '') {
    problem(line, `${where} is empty`);
    return;
  }
  if (value.length > MAX_EMAIL_WORD_LENGTH) {
    problem(line, `${where} ${lengthMessage(MAX_EMAIL_WORD_LENGTH)} (it has ${value.length})`);
    return;
  }
  if (id === 'language') {
    const language = readLanguage(value);
    if (language === undefined) {
      problem(
        line,
        `${where} is ${quote(value)}: write a language tag such as en-US, en-GB, ` +
          `de-DE or fr-FR (it sets how money is written)`,
      );
      return;
    }
    words[id] = { value: language, line };
    return;
  }
  const allowed = WORD_PLACEHOLDERS[id];
  const used = [...value.matchAll(/\{([^{}]*)\}/g)].map((found) => found[1] ?? '');
  const stray = /[{}]/.test(value.replace(/\{[^{}]*\}/g, ''));
  const unknown = used.find((placeholder) => placeholder !== allowed?.name);
  if (stray || unknown !== undefined) {
    const may = allowed === undefined ? 'takes no placeholders' : `may use only {${allowed.name}}`;
    problem(line, `${where} ${may}${unknown !== undefined ? ` (it has {${unknown}})` : ' (it has a stray brace)'}`);
    return;
  }
  if (allowed?.required === true && !used.includes(allowed.name)) {
    problem(
      line,
      `${where} needs {${allowed.name}} where the ${allowed.name === 'count' ? 'number' : 'value'} goes, like ` +
        `"${DEFAULT_EMAIL_WORDS[id]}"`,
    );
    return;
  }
  words[id] = { value, line };
}

/** The canonical language tag when Intl can format money in it ("de-de" becomes "de-DE"), else undefined. */
function readLanguage(value: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    if (canonical === undefined || Intl.NumberFormat.supportedLocalesOf([canonical]).length === 0) return undefined;
    return canonical;
  } catch {
    return undefined;
  }
}
