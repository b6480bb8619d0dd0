import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import type { docs_v1 } from '@googleapis/docs';
import { JWT, OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GOOGLE_READ_SCOPES, GoogleOwnerDrive, serviceAccountAuth } from '../../src/adapters/google/google-drive';
import { GoogleReadError, type DriveFile } from '../../src/ports/google-drive';
import { type GoogleFake, startGoogleFake } from '../support/google-fake';

// The real @googleapis/* clients, pointed at a local fake through `rootUrl`. A fixed access token means no token
// fetch ever leaves the machine.
let fake: GoogleFake;

function testAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test' });
  return auth;
}

/**
 * The adapter against the fake. Tests that expect an answer give it a minute, so a busy machine cannot turn an answer
 * into a timeout; the timeout tests set their own short limit against a fake that never answers, so their outcome
 * does not depend on the machine's speed either.
 */
function ownerDrive(options: { timeoutMs?: number; serviceAccountEmail?: string } = {}): GoogleOwnerDrive {
  return new GoogleOwnerDrive({ auth: testAuth(), rootUrl: fake.url, timeoutMs: 60_000, ...options });
}

beforeAll(async () => {
  fake = await startGoogleFake();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
});

// --- Docs structure builders, shaped like documents.get responses ---

function run(content: string): docs_v1.Schema$ParagraphElement {
  return { textRun: { content } };
}

function para(text: string, extra: Partial<docs_v1.Schema$Paragraph> = {}): docs_v1.Schema$StructuralElement {
  return { paragraph: { elements: [run(`${text}\n`)], ...extra } };
}

function bullet(text: string): docs_v1.Schema$StructuralElement {
  return para(text, { bullet: { listId: 'kix.list1', nestingLevel: 0 } });
}

function cell(...content: docs_v1.Schema$StructuralElement[]): docs_v1.Schema$TableCell {
  return { content };
}

function table(...rows: docs_v1.Schema$TableCell[][]): docs_v1.Schema$StructuralElement {
  return {
    table: { rows: rows.length, columns: rows[0]?.length ?? 0, tableRows: rows.map((tableCells) => ({ tableCells })) },
  };
}

async function readError(promise: Promise<unknown>): Promise<GoogleReadError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GoogleReadError);
  return error as GoogleReadError;
}

describe('readDocText', () => {
  it('gives one line per paragraph and per table row, with the request signed by the auth client', async () => {
    fake.docs.set('rules-doc', {
      documentId: 'rules-doc',
      title: 'Reminder rules',
      body: {
        content: [
          { sectionBreak: {} },
          // A paragraph split over several runs (bold/italic changes) is still one line.
          { paragraph: { elements: [run('Remi'), run('nder '), run('rules\n')] } },
          { tableOfContents: { content: [para('Reminder rules'), para('Waits')] } },
          para(''),
          bullet('Wait before the first reminder: 4 hours'),
          bullet('Second reminder: 1 day'),
          table(
            [cell(para('Setting')), cell(para('Value'))],
            // A cell with two paragraphs stays in its cell.
            [cell(para('Big-cart threshold')), cell(para('200.00'), para('(in store currency)'))],
            // A table nested in a cell is flattened into that cell.
            [cell(para('Quiet hours')), cell(para('between'), table([cell(para('9pm')), cell(para('8am'))]))],
          ),
          {
            paragraph: {
              elements: [
                run('Owner: '),
                { person: { personProperties: { name: 'Ada Lovelace', email: 'ada@example.com' } } },
                run(', see '),
                { richLink: { richLinkProperties: { title: 'Returns policy', uri: 'https://example.com/returns' } } },
                run('\n'),
              ],
            },
          },
        ],
      },
    });

    const text = await ownerDrive().readDocText('rules-doc');

    expect(text.split('\n')).toEqual([
      'Reminder rules',
      '',
      'Wait before the first reminder: 4 hours',
      'Second reminder: 1 day',
      'Setting\tValue',
      'Big-cart threshold\t200.00 (in store currency)',
      'Quiet hours\tbetween 9pm 8am',
      'Owner: Ada Lovelace, see Returns policy',
    ]);
    expect(fake.requests).toEqual([
      { method: 'GET', path: '/v1/documents/rules-doc', query: {}, authorization: 'Bearer test' },
    ]);
  });

  it('reads the first tab when the document comes back with tabs only', async () => {
    fake.docs.set('tabbed', {
      documentId: 'tabbed',
      tabs: [
        { tabProperties: { title: 'Rules' }, documentTab: { body: { content: [para('First tab line')] } } },
        { tabProperties: { title: 'Notes' }, documentTab: { body: { content: [para('Second tab line')] } } },
      ],
    });

    await expect(ownerDrive().readDocText('tabbed')).resolves.toBe('First tab line');
  });

  it('calls a document without a body invalid', async () => {
    fake.docs.set('hollow', { documentId: 'hollow', title: 'No body' });

    const error = await readError(ownerDrive().readDocText('hollow'));

    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('document "hollow"');
  });

  it('refuses an empty id without calling Google', async () => {
    const error = await readError(ownerDrive().readDocText(' '));

    expect(error.kind).toBe('invalid');
    expect(fake.requests).toHaveLength(0);
  });

  it("links a doc in Google Docs' editor, for the owner's problem email", () => {
    expect(ownerDrive().docUrl('1AbC-dEf_gh')).toBe('https://docs.google.com/document/d/1AbC-dEf_gh/edit');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('listFolder', () => {
  const files: DriveFile[] = Array.from({ length: 5 }, (_, index) => ({
    id: `file-${index}`,
    name: `File ${index}`,
    mimeType: index === 4 ? 'application/vnd.google-apps.spreadsheet' : 'application/vnd.google-apps.document',
    modifiedTime: `2026-11-0${index + 1}T10:00:00.000Z`,
  }));

  it('follows nextPageToken and asks for untrashed children with the exact query', async () => {
    fake.folders.set('folder-1', files);
    fake.drivePageSize = 2;

    const listed = await ownerDrive().listFolder('folder-1');

    expect(listed).toEqual(files);
    expect(fake.requests.map((request) => request.query.pageToken)).toEqual([undefined, '2', '4']);
    for (const request of fake.requests) {
      expect(request.path).toBe('/drive/v3/files');
      expect(request.authorization).toBe('Bearer test');
      expect(request.query).toMatchObject({
        q: "'folder-1' in parents and trashed = false",
        fields: 'nextPageToken, files(id,name,mimeType,modifiedTime)',
        pageSize: '100',
        supportsAllDrives: 'true',
        includeItemsFromAllDrives: 'true',
      });
    }
  });

  it('escapes quotes and backslashes in the folder id', async () => {
    const odd = "owner's\\folder";
    fake.folders.set(odd, files.slice(0, 1));

    await expect(ownerDrive().listFolder(odd)).resolves.toEqual(files.slice(0, 1));
    expect(fake.requests[0]?.query.q).toBe("'owner\\'s\\\\folder' in parents and trashed = false");
  });

  it('gives an empty list for an empty folder', async () => {
    await expect(ownerDrive().listFolder('empty')).resolves.toEqual([]);
  });
});

describe('readSheetRows', () => {
  it('reads formatted values of A:Z and pads ragged rows to the widest', async () => {
    fake.sheets.set('carts', [
      ['cart id', 'updated at', 'total', 'email'],
      ['c1', '2026-11-02T15:04:00Z', '120.00'],
      [],
      ['c2', '2026-11-02T16:00:00Z', '20.00', 'sam@example.com'],
    ]);

    const rows = await ownerDrive().readSheetRows('carts');

    expect(rows).toEqual([
      ['cart id', 'updated at', 'total', 'email'],
      ['c1', '2026-11-02T15:04:00Z', '120.00', ''],
      ['', '', '', ''],
      ['c2', '2026-11-02T16:00:00Z', '20.00', 'sam@example.com'],
    ]);
    expect(fake.requests).toEqual([
      {
        method: 'GET',
        path: '/v4/spreadsheets/carts/values/A:Z',
        query: { valueRenderOption: 'FORMATTED_VALUE' },
        authorization: 'Bearer test',
      },
    ]);
  });

  it('passes a given range and reads an empty sheet as no rows', async () => {
    fake.sheets.set('blank', []);

    await expect(ownerDrive().readSheetRows('blank', "'Today''s carts'!A1:L")).resolves.toEqual([]);
    expect(fake.requests[0]?.path).toBe("/v4/spreadsheets/blank/values/'Today''s carts'!A1:L");
  });
});

describe('failures', () => {
  const calls = {
    docs: { prefix: '/v1/documents/', read: (drive: GoogleOwnerDrive) => drive.readDocText('doc-1') },
    drive: { prefix: '/drive/v3/files', read: (drive: GoogleOwnerDrive) => drive.listFolder('folder-1') },
    sheets: { prefix: '/v4/spreadsheets/', read: (drive: GoogleOwnerDrive) => drive.readSheetRows('sheet-1') },
  } as const;
  const apis = Object.keys(calls) as (keyof typeof calls)[];

  beforeEach(() => {
    // Good content everywhere, so only the programmed failure can make a call fail.
    fake.docs.set('doc-1', { documentId: 'doc-1', body: { content: [para('ok')] } });
    fake.folders.set('folder-1', []);
    fake.sheets.set('sheet-1', [['ok']]);
  });

  it.each(apis)('%s: 403 is forbidden and says to share the file with the service account', async (api) => {
    fake.failNext(calls[api].prefix, 403);

    const error = await readError(calls[api].read(ownerDrive()));

    expect(error.kind).toBe('forbidden');
    expect(error.message).toMatch(/share it/i);
    expect(error.message).toContain("the service account's email");
    expect(error.message).toContain('The caller does not have permission');
  });

  it.each(apis)('%s: 404 is not_found', async (api) => {
    fake.failNext(calls[api].prefix, 404);

    const error = await readError(calls[api].read(ownerDrive()));

    expect(error.kind).toBe('not_found');
    // Drive says 404 for files it will not show the caller, so the message also points at sharing.
    expect(error.message).toMatch(/check the id/i);
  });

  it.each(apis)('%s: 500 is unavailable, with no hidden retry', async (api) => {
    fake.failNext(calls[api].prefix, 500);

    const error = await readError(calls[api].read(ownerDrive()));

    expect(error.kind).toBe('unavailable');
    expect(fake.requests).toHaveLength(1);
  });

  it.each(apis)('%s: no answer is a timeout', async (api) => {
    fake.failNext(calls[api].prefix, 'hang');

    const error = await readError(calls[api].read(ownerDrive({ timeoutMs: 200 })));

    expect(error.kind).toBe('timeout');
    expect(fake.requests).toHaveLength(1);
  });

  it('401 is forbidden too', async () => {
    fake.failNext('/v1/documents/', 401);

    const error = await readError(calls.docs.read(ownerDrive()));

    expect(error.kind).toBe('forbidden');
    expect(error.message).toMatch(/credentials/);
  });

  it('400 (e.g. an unconverted Word file) is invalid', async () => {
    fake.failNext('/v1/documents/', 400);

    expect((await readError(calls.docs.read(ownerDrive()))).kind).toBe('invalid');
  });

  it('names the service account when it knows its address', async () => {
    fake.failNext('/v1/documents/', 403);

    const error = await readError(
      calls.docs.read(ownerDrive({ serviceAccountEmail: 'reader@shop.iam.gserviceaccount.com' })),
    );

    expect(error.message).toContain('Share it (or its folder) with reader@shop.iam.gserviceaccount.com');
  });

  it('a refused connection is unavailable', async () => {
    const closedPort = await freePort();
    const drive = new GoogleOwnerDrive({ auth: testAuth(), rootUrl: `http://127.0.0.1:${closedPort}/` });

    const error = await readError(drive.readDocText('doc-1'));

    expect(error.kind).toBe('unavailable');
  });
});

/** A port nothing listens on: bind one, then let it go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('serviceAccountAuth', () => {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = {
    type: 'service_account',
    project_id: 'shop',
    private_key_id: 'abc123',
    private_key: privateKey,
    client_email: 'reader@shop.iam.gserviceaccount.com',
  };
  // A recognisable slice of the key body, to prove it never lands in a message.
  const keyBody = privateKey.split('\n')[3] ?? 'unreachable';

  it('builds a JWT for the client_email with the read-only scopes', () => {
    const auth = serviceAccountAuth(JSON.stringify(key));

    expect(auth).toBeInstanceOf(JWT);
    expect(auth.email).toBe('reader@shop.iam.gserviceaccount.com');
    expect(auth.scopes).toEqual([
      'https://www.googleapis.com/auth/documents.readonly',
      'https://www.googleapis.com/auth/drive.readonly',
      'https://www.googleapis.com/auth/spreadsheets.readonly',
    ]);
    expect(GOOGLE_READ_SCOPES.every((scope) => scope.endsWith('.readonly'))).toBe(true);
  });

  it('accepts a key whose line breaks arrived as literal \\n', () => {
    const flattened = { ...key, private_key: privateKey.replace(/\n/g, '\\n') };

    expect(serviceAccountAuth(JSON.stringify(flattened)).key).toBe(privateKey);
  });

  it('rejects a key without private_key, naming the field', () => {
    const { private_key: _omitted, ...withoutKey } = key;

    expect(() => serviceAccountAuth(JSON.stringify(withoutKey))).toThrow(/private_key is missing/);
  });

  it('never echoes the key text in its errors', () => {
    const attempts = [
      JSON.stringify({ ...key, client_email: undefined }),
      JSON.stringify({ ...key, private_key: `${privateKey}garbage`.replace('PRIVATE KEY', 'PRIVATE KAY') }),
      JSON.stringify(key).slice(0, -1), // truncated JSON
      JSON.stringify({ ...key, type: 'authorized_user' }),
    ];
    for (const attempt of attempts) {
      let message = '';
      try {
        serviceAccountAuth(attempt);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Service-account key: /);
      expect(message).not.toContain(keyBody);
    }
  });

  it('uses the key email in "share it" messages', async () => {
    const auth = serviceAccountAuth(JSON.stringify(key));
    // A real JWT would fetch a token from Google; give it one so the request reaches the fake.
    auth.setCredentials({ access_token: 'jwt-token', expiry_date: Date.now() + 3_600_000 });
    fake.failNext('/v1/documents/', 403);

    const error = await readError(new GoogleOwnerDrive({ auth, rootUrl: fake.url }).readDocText('doc-1'));

    expect(error.message).toContain('reader@shop.iam.gserviceaccount.com');
    expect(fake.requests[0]?.authorization).toBe('Bearer jwt-token');
  });
});
