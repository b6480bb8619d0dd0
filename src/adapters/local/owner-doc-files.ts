/** The owner's docs as files on this machine: the ready-to-copy examples, read and parsed for scripts and benches. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DocProblem } from '../../domain/owner-docs/doc-text';
import type { Rules } from '../../domain/owner-docs/rules';
import { parseRulesDoc } from '../../domain/owner-docs/rules-doc';
import type { Voice } from '../../domain/owner-docs/voice';
import { parseVoiceDoc } from '../../domain/owner-docs/voice-doc';

/** The owner's docs the local system reads: the ready-to-copy examples, unless told otherwise. */
export const EXAMPLE_DOCS = {
  rules: resolve('docs/examples/rules-doc.md'),
  voice: resolve('docs/examples/voice-doc.md'),
} as const;

/** Reads and parses the rules doc, failing with every line-numbered problem when it does not parse. */
export function readRulesDoc(path: string): Rules {
  const result = parseRulesDoc(readFileSync(path, 'utf8'));
  if (!result.ok) throw new Error(doesNotParse(path, result.problems));
  return result.rules;
}

/** Reads and parses the voice doc, likewise. */
export function readVoiceDoc(path: string): Voice {
  const result = parseVoiceDoc(readFileSync(path, 'utf8'));
  if (!result.ok) throw new Error(doesNotParse(path, result.problems));
  return result.voice;
}

function doesNotParse(path: string, problems: readonly DocProblem[]): string {
  return `${path} does not parse:\n${problems.map((p) => `  line ${p.line ?? '-'}: ${p.message}`).join('\n')}`;
}
