/**
 * The line width is one the code meets. Biome's formatter (`npm test` runs `biome check`) wraps code at the width in
 * biome.jsonc but never splits a string, a template literal or a comment, so a long message or comment would pass it:
 * this check holds every line of code to the same width.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** The folders Biome checks (biome.jsonc `files.includes`), and the code files in them. */
const CODE_FOLDERS = ['src', 'lib', 'bin', 'scripts', 'bench', 'rehearsal', 'test'];
const CODE_FILE = /\.(ts|cjs|mjs|js)$/;

function biomeLineWidth(): number {
  const file = join(ROOT, 'biome.jsonc');
  const { config, error } = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
  if (error) throw new Error(`biome.jsonc: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  return (config as { formatter: { lineWidth: number } }).formatter.lineWidth;
}

function codeFiles(): string[] {
  const inFolders = CODE_FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && CODE_FILE.test(entry.name))
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name))),
  );
  const atRoot = readdirSync(ROOT).filter((name) => name.endsWith('.ts'));
  return [...inFolders, ...atRoot].filter((file) => !file.includes('node_modules')).sort();
}

describe('the line width', () => {
  it('is met by every line of code, strings and comments included', () => {
    const width = biomeLineWidth();
    expect(width).toBe(120);
    const files = codeFiles();
    expect(files.length).toBeGreaterThan(300); // the check looks at something real
    const over: string[] = [];
    for (const file of files) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          // Columns as an editor shows them: code points, not UTF-16 units (a "…" or an emoji is one column).
          const columns = [...line].length;
          if (columns > width) over.push(`${file}:${index + 1} is ${columns} columns`);
        });
    }
    expect(over).toEqual([]);
  });
});
