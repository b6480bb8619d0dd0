/**
 * The layout's rules, read from the source with the TypeScript parser, so a change that breaks one fails here rather
 * than in review: every folder stands on a floor and imports only its own folder and lower floors (no arrow runs back
 * up), entries are wiring only, adapters and clients are built only in the composition roots (scripts included), the
 * domain and the ports stay free of AWS and Google, no module imports itself round a cycle, and the architecture
 * doc's layout names every folder with its floor.
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
      if (
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
      ) {
        imports.push(statement.moduleSpecifier.text);
        const typeOnly = ts.isImportDeclaration(statement)
          ? statement.importClause?.isTypeOnly === true
          : statement.isTypeOnly;
        if (!typeOnly) valueImports.push(statement.moduleSpecifier.text);
      }
    }
    // `await import('...')` is an arrow too.
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        imports.push(node.arguments[0].text);
        valueImports.push(node.arguments[0].text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
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
      const exported =
        ts.canHaveModifiers(statement) &&
        ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
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

/**
 * The composition roots: AWS (src/composition, whose shared part all use), the laptop's system (src/local/system.ts)
 * and the operator's commands (src/local/operator.ts: the running local system, or the deployed stack through
 * src/composition/aws/operator.ts).
 */
const COMPOSITION_ROOTS = (file: string) =>
  file.startsWith('src/composition/') || file === 'src/local/system.ts' || file === 'src/local/operator.ts';

/**
 * The floors, ground floor first. A file imports files of its own folder and of lower floors, never of a higher one;
 * on one floor, folders do not import each other, except on the tools floor, whose folders share their helpers (the
 * bench and the rehearsal use the tests' fakes, the tests' rhythm world the bench's SES stand-in). A folder's
 * subfolders stand on its floor. docs/architecture.md shows the same floors beside its folders (checked below).
 */
const FLOORS: ReadonlyArray<{ readonly floor: number; readonly folders: readonly string[]; readonly sideways?: true }> =
  [
    { floor: 1, folders: ['src/domain'] }, // the product's rules, pure
    { floor: 2, folders: ['src/ports', 'src/http', 'src/resources'] }, // what the rest is written against
    { floor: 3, folders: ['src/use-cases', 'src/adapters'] }, // the use cases, and the ports' implementations
    { floor: 4, folders: ['src/handlers'] },
    { floor: 5, folders: ['src/composition'] },
    // What runs the composition: Lambda, the laptop, the CDK app.
    { floor: 6, folders: ['src/lambda', 'src/local', 'lib'] },
    { floor: 7, folders: ['bin', 'scripts', 'bench', 'rehearsal', 'test/support'], sideways: true }, // tools
    { floor: 8, folders: ['test'] }, // the tests: nothing imports them
  ];

/** The folders that hold code, each of whose files has a floor. */
const CODE_FOLDERS = ['src', 'lib', 'bin', 'scripts', 'bench', 'rehearsal', 'test'];

/** The floor a repository path stands on, and the folder that gives it (the longest listed prefix), if any. */
function floorOf(
  path: string,
): { readonly floor: number; readonly folder: string; readonly sideways: boolean } | undefined {
  let found: { floor: number; folder: string; sideways: boolean } | undefined;
  for (const { floor, folders, sideways } of FLOORS) {
    for (const folder of folders) {
      if (path.startsWith(`${folder}/`) && (!found || folder.length > found.folder.length))
        found = { floor, folder, sideways: sideways === true };
    }
  }
  return found;
}

/** Packages whose exports build AWS or Google clients (or talk to the service through one). */
const CLIENT_PACKAGES = /^@aws-sdk\/(client|lib)-|^@googleapis\/|^googleapis$|^google-auth-library$/;

/**
 * Every place a file builds or calls something from a client package: `new DynamoDBClient(...)`,
 * `DynamoDBDocumentClient.from(...)`, `docs({...})`, `google.sheets(...)`, `new JWT(...)`.
 */
function clientUses(file: string): string[] {
  const { source } = parse(file);
  const names = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (!CLIENT_PACKAGES.test(from) || !clause || clause.isTypeOnly) continue;
    if (clause.name) names.set(clause.name.text, from);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.set(bindings.name.text, from);
    if (bindings && ts.isNamedImports(bindings))
      for (const element of bindings.elements) if (!element.isTypeOnly) names.set(element.name.text, from);
  }
  const root = (expression: ts.Expression): ts.Expression =>
    ts.isPropertyAccessExpression(expression) ? root(expression.expression) : expression;
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      const callee = root(node.expression);
      if (ts.isIdentifier(callee) && names.has(callee.text)) {
        found.push(
          `${file}: ${ts.isNewExpression(node) ? 'new ' : ''}${node.expression.getText(source)}(...) ` +
            `(${names.get(callee.text)})`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

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
        if (
          path === undefined
            ? !allowedPackages.has(specifier)
            : !allowedFolders.some((folder) => path.startsWith(folder))
        ) {
          problems.push(`${file} imports ${specifier}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps handlers and use cases free of AWS and Google clients (they see ports)', () => {
    // Handlers read AWS-shaped events, so types from `aws-lambda` or the SDK and the pure `util-dynamodb` unmarshaller
    // are theirs to use; a client, a Powertools utility or a Google package is not.
    const clients =
      /^@aws-sdk\/(client|lib)-|^@googleapis\/|^googleapis$|^google-auth-library$|^@aws-lambda-powertools\//;
    const problems: string[] = [];
    for (const file of [...filesUnder('src/handlers'), ...filesUnder('src/use-cases')]) {
      for (const specifier of parse(file).valueImports) {
        if (clients.test(specifier)) problems.push(`${file} imports ${specifier}`);
      }
      for (const specifier of parse(file).imports) {
        const path = target(file, specifier);
        if (path?.startsWith('src/adapters/') || path?.startsWith('src/composition/'))
          problems.push(`${file} imports ${specifier}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(
    'keeps the rehearsal and its AGPL policy evaluator out of the product (src, ' + 'lib) and so out of every bundle',
    () => {
      const problems: string[] = [];
      for (const file of [...filesUnder('src'), ...filesUnder('lib'), ...filesUnder('bin')]) {
        for (const specifier of parse(file).imports) {
          if (specifier.startsWith('@cloud-copilot/') || target(file, specifier)?.startsWith('rehearsal/'))
            problems.push(`${file} imports ${specifier}`);
        }
      }
      expect(filesUnder('rehearsal').length).toBeGreaterThan(3); // the check looks at something real
      expect(problems).toEqual([]);
    },
  );

  it('gives every code file a floor', () => {
    const files = CODE_FOLDERS.flatMap(filesUnder);
    expect(files.length).toBeGreaterThan(300); // the check looks at something real
    expect(
      files.filter((file) => !floorOf(file)),
      'files in a folder with no floor: add it to FLOORS and docs/architecture.md',
    ).toEqual([]);
  });

  it(
    'has no arrow running back up: a file imports its own folder and lower floors, ' +
      'never a higher floor or a neighbour',
    () => {
      const problems: string[] = [];
      let arrows = 0;
      for (const file of CODE_FOLDERS.flatMap(filesUnder)) {
        const from = floorOf(file);
        if (!from) continue; // the test above names it
        for (const specifier of parse(file).imports) {
          const path = target(file, specifier);
          const to = path === undefined ? undefined : floorOf(path);
          if (!to || to.folder === from.folder) continue;
          arrows += 1;
          if (to.floor > from.floor)
            problems.push(
              `${file} (${from.folder}, floor ${from.floor}) imports ${path} (${to.folder}, floor ${to.floor})`,
            );
          else if (to.floor === from.floor && !from.sideways)
            problems.push(`${file} (${from.folder}) imports its neighbour on floor ${from.floor}: ${path}`);
        }
      }
      expect(arrows).toBeGreaterThan(500); // the check looks at something real
      expect(problems).toEqual([]);
    },
  );

  it(
    'builds no client and no adapter in scripts/: ' +
      'they come from the operator composition, as the Lambdas get theirs',
    () => {
      const classes = adapterClasses();
      const scripts = filesUnder('scripts');
      expect(scripts.length).toBeGreaterThan(4); // the check looks at something real
      const problems: string[] = [];
      for (const file of scripts) {
        problems.push(...clientUses(file));
        for (const name of constructions(file)) {
          const home = classes.get(name);
          if (home) problems.push(`${file}: new ${name}(...) (${home})`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it("names every folder in docs/architecture.md's code layout, with its floor, and no folder that is gone", () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const section = /^## Code layout\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1] ?? '';
    const tree = /^```\n([\s\S]*?)^```/m.exec(section)?.[1];
    expect(tree, 'docs/architecture.md has a "## Code layout" section with the tree in a code block').toBeDefined();
    // A folder's line: its name indented two spaces a level, then its floor (or - for folders that hold no code).
    const named = new Map<string, string>();
    const parents: string[] = [];
    for (const line of tree!.split('\n')) {
      const match = /^((?: {2}){0,3})([\w.-]+)\/ +(\d+|-) /.exec(line);
      if (!match) continue;
      const level = match[1]!.length / 2;
      parents.length = level;
      parents.push(match[2]!);
      named.set(parents.join('/'), match[3]!);
    }
    // Every folder of the tree: recursively, except git's own, what .gitignore keeps out, and hidden folders that are
    // not ours (an editor's); `.ci` holds what CI runs.
    const ignored = new Set(
      readFileSync(join(ROOT, '.gitignore'), 'utf8')
        .split('\n')
        .filter((l) => l.endsWith('/'))
        .map((l) => l.slice(0, -1)),
    );
    const onDisk: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (
          !entry.isDirectory() ||
          ignored.has(entry.name) ||
          (!dir && entry.name.startsWith('.') && entry.name !== '.ci')
        )
          continue;
        onDisk.push(path);
        walk(path);
      }
    };
    walk('');
    expect(onDisk).toContain('src/domain/cart'); // the check looks at something real
    expect
      .soft(
        onDisk.filter((folder) => !named.has(folder)),
        'folders the layout does not name',
      )
      .toEqual([]);
    expect
      .soft(
        [...named.keys()].filter((folder) => !onDisk.includes(folder)),
        'folders the layout names that are gone',
      )
      .toEqual([]);
    const wrongFloors = [...named]
      .filter(([folder, floor]) => String(floorOf(`${folder}/x.ts`)?.floor ?? '-') !== floor)
      .map(([folder, floor]) => `${folder}: ${floor} in the doc, ${floorOf(`${folder}/x.ts`)?.floor ?? '-'} in FLOORS`);
    expect.soft(wrongFloors, 'folders whose floor in the doc is not the one in FLOORS').toEqual([]);
    // The doc's table of floors is FLOORS.
    const table = [...section.matchAll(/^\| (\d+) \| (.*) \|$/gm)].map(([, floor, cells]) => {
      const folders = [...cells!.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
      return `${floor}: ${folders.join(', ')}`;
    });
    expect
      .soft(table, "the doc's table of floors")
      .toEqual(FLOORS.map(({ floor, folders }) => `${floor}: ${folders.join(', ')}`));
  });

  it('has no import cycles in any code folder (src, lib, bin, scripts, bench, rehearsal, test)', () => {
    const files = CODE_FOLDERS.flatMap(filesUnder);
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
