/**
 * The layout's rules, read from the source with the TypeScript parser, so a change that breaks one fails here rather
 * than in review: entries are wiring only, adapters are built only in the composition roots, the domain and the
 * ports stay free of AWS and Google, and no module imports itself round a cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

interface Parsed {
  readonly file: string;
  readonly source: ts.SourceFile;
  /** Module specifiers of every import and re-export (type-only ones included). */
  readonly imports: string[];
  /** Those of imports that bring in code (not `import type`). */
  readonly valueImports: string[];
}

const cache = new Map<string, Parsed>();
function parse(file: string): Parsed {
  let parsed = cache.get(file);
  if (!parsed) {
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const imports: string[] = [];
    const valueImports: string[] = [];
    for (const statement of source.statements) {
      if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        imports.push(statement.moduleSpecifier.text);
        const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly;
        if (!typeOnly) valueImports.push(statement.moduleSpecifier.text);
      }
    }
    parsed = { file, source, imports, valueImports };
    cache.set(file, parsed);
  }
  return parsed;
}

/** The repository path a relative specifier points at (`.ts` added), or undefined for a package. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const path = relative(ROOT, resolve(ROOT, dirname(file), specifier));
  return path.endsWith('.ts') ? path : `${path}.ts`;
}

/** Names of the classes each adapter module exports. */
function adapterClasses(): Map<string, string> {
  const classes = new Map<string, string>();
  for (const file of filesUnder('src/adapters')) {
    for (const statement of parse(file).source.statements) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (exported && ts.isClassDeclaration(statement) && statement.name && !/Error$/.test(statement.name.text)) {
        classes.set(statement.name.text, file);
      }
    }
  }
  return classes;
}

/** Every `new X(...)` in a file, by class name. */
function constructions(file: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) found.push(node.expression.text);
    ts.forEachChild(node, visit);
  };
  visit(parse(file).source);
  return found;
}

/** The two composition roots: AWS (src/composition, whose shared part both use) and the laptop (src/local/system.ts). */
const COMPOSITION_ROOTS = (file: string) => file.startsWith('src/composition/') || file === 'src/local/system.ts';

describe('the layout', () => {
  const entries = filesUnder('src/lambda');

  it('has one deployed entry per function, each wiring only: its schema, the composition root, nothing else', () => {
    expect(entries.length).toBeGreaterThanOrEqual(9);
    for (const file of entries) {
      const { imports, source } = parse(file);
      const outside = imports.filter((specifier) => {
        const path = target(file, specifier);
        return !path?.startsWith('src/composition/');
      });
      expect(outside, `${file} imports more than wiring`).toEqual([]);
      expect(constructions(file), `${file} constructs something itself`).toEqual([]);
      const statements = source.statements.filter((s) => !ts.isImportDeclaration(s));
      expect(statements.length, `${file} has more than its one exported handler`).toBe(1);
      expect(source.text).toMatch(/export const handler = awsEntry\(/);
    }
  });

  it('builds adapters only in the composition roots', () => {
    const classes = adapterClasses();
    expect(classes.size).toBeGreaterThan(10); // the check looks at something real
    const misplaced: string[] = [];
    for (const file of filesUnder('src')) {
      if (COMPOSITION_ROOTS(file)) continue;
      for (const name of constructions(file)) {
        const home = classes.get(name);
        // An adapter may build its own helpers; nothing else may build an adapter.
        if (home && home !== file) misplaced.push(`${file}: new ${name} (${home})`);
      }
    }
    expect(misplaced).toEqual([]);
  });

  it('keeps the domain and the ports free of AWS, Google and adapters, and the domain free of ports', () => {
    const allowedPackages = new Set(['zod', 'luxon', 'node:crypto']);
    const problems: string[] = [];
    for (const file of [...filesUnder('src/domain'), ...filesUnder('src/ports')]) {
      // The domain is the ground floor: the records the ports carry are declared there, and the ports import them.
      const allowedFolders = file.startsWith('src/domain/') ? ['src/domain/'] : ['src/domain/', 'src/ports/'];
      for (const specifier of parse(file).imports) {
        const path = target(file, specifier);
        if (path === undefined ? !allowedPackages.has(specifier) : !allowedFolders.some((folder) => path.startsWith(folder))) {
          problems.push(`${file} imports ${specifier}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps handlers and use cases free of AWS and Google clients (they see ports)', () => {
    // Handlers read AWS-shaped events, so types from `aws-lambda` or the SDK and the pure `util-dynamodb` unmarshaller
    // are theirs to use; a client, a Powertools utility or a Google package is not.
    const clients = /^@aws-sdk\/(client|lib)-|^@googleapis\/|^googleapis$|^google-auth-library$|^@aws-lambda-powertools\//;
    const problems: string[] = [];
    for (const file of [...filesUnder('src/handlers'), ...filesUnder('src/use-cases')]) {
      for (const specifier of parse(file).valueImports) {
        if (clients.test(specifier)) problems.push(`${file} imports ${specifier}`);
      }
      for (const specifier of parse(file).imports) {
        const path = target(file, specifier);
        if (path?.startsWith('src/adapters/') || path?.startsWith('src/composition/')) problems.push(`${file} imports ${specifier}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps the rehearsal and its AGPL policy evaluator out of the product (src, lib) and so out of every bundle', () => {
    const problems: string[] = [];
    for (const file of [...filesUnder('src'), ...filesUnder('lib'), ...filesUnder('bin')]) {
      for (const specifier of parse(file).imports) {
        if (specifier.startsWith('@cloud-copilot/') || target(file, specifier)?.startsWith('rehearsal/')) problems.push(`${file} imports ${specifier}`);
      }
    }
    expect(filesUnder('rehearsal').length).toBeGreaterThan(3); // the check looks at something real
    expect(problems).toEqual([]);
  });

  it('has no import cycles in src, lib, bench, scripts or rehearsal', () => {
    const files = [...filesUnder('src'), ...filesUnder('lib'), ...filesUnder('bench'), ...filesUnder('scripts'), ...filesUnder('rehearsal')];
    const known = new Set(files);
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const specifier of parse(file).imports) {
        const next = target(file, specifier);
        if (next && known.has(next)) visit(next, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
