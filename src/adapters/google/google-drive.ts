import { createPrivateKey } from 'node:crypto';
import { docs, type docs_v1 } from '@googleapis/docs';
import { drive, type drive_v3 } from '@googleapis/drive';
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { type AuthClient, type GoogleAuth, JWT } from 'google-auth-library';
import * as z from 'zod';
import { type DriveFile, GoogleReadError, type OwnerDrive } from '../../ports/google-drive';

/**
 * The read-only scopes the owner's files need: the two docs, the folder listing and the export sheet.
 * Read-only on purpose: the service account never needs to change an owner's file, so a leaked key cannot either.
 */
export const GOOGLE_READ_SCOPES: readonly string[] = [
  'https://www.googleapis.com/auth/documents.readonly',
  'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/spreadsheets.readonly',
];

/**
 * Any google-auth-library client that can sign requests: a `JWT` from {@link serviceAccountAuth} in production,
 * an `OAuth2Client` holding a fixed access token in tests, or a `GoogleAuth`.
 */
export type GoogleAuthClient = AuthClient | GoogleAuth;

/** How to build a {@link GoogleOwnerDrive}. */
export interface GoogleOwnerDriveOptions {
  readonly auth: GoogleAuthClient;
  /** Replaces `https://*.googleapis.com/` for every call; tests point it at a local fake. */
  readonly rootUrl?: string;
  /** Per-HTTP-request limit in milliseconds (default 5000). A folder listing of several pages gets it per page. */
  readonly timeoutMs?: number;
  /**
   * The service account's address, quoted in "share the file with ..." messages. Taken from a `JWT` auth client
   * when not given.
   */
  readonly serviceAccountEmail?: string;
}

/** The default per-request timeout: long enough for a slow Docs read, short enough to fall back within a Lambda. */
export const DEFAULT_GOOGLE_TIMEOUT_MS = 5000;

/**
 * The `OwnerDrive` port on Google's per-API clients (`@googleapis/docs`, `/drive`, `/sheets`; not the `googleapis`
 * monolith, which is 250 MB and slow to load in a Lambda).
 *
 * Retries are off: the callers cache the last good copy and fall back to it, so one quick failure is better than
 * three hidden retries with backoff eating the function's time. Every failure becomes a `GoogleReadError`.
 *
 * Docs with tabs: the document is fetched without `includeTabsContent`, so Google fills the legacy `body` with
 * the first tab; the text of other tabs is not read. Owners keep the rules in the first tab.
 */
export class GoogleOwnerDrive implements OwnerDrive {
  private readonly docs: docs_v1.Docs;
  private readonly drive: drive_v3.Drive;
  private readonly sheets: sheets_v4.Sheets;
  private readonly errorContext: ErrorContext;

  constructor(options: GoogleOwnerDriveOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_GOOGLE_TIMEOUT_MS;
    const common = { rootUrl: options.rootUrl, timeout: timeoutMs, retry: false };
    // The cast: each @googleapis/* package types `auth` with the google-auth-library copy nested under its own
    // googleapis-common, whose classes have private members, so TypeScript treats our copy's classes as a different
    // type. At runtime googleapis-common only calls `request()`/`getUniverseDomain()` on the client, which every
    // copy has. One cast per package, because the packages may move to different googleapis-common majors.
    this.docs = docs({ version: 'v1', ...common, auth: options.auth as unknown as docs_v1.Options['auth'] });
    this.drive = drive({ version: 'v3', ...common, auth: options.auth as unknown as drive_v3.Options['auth'] });
    this.sheets = sheets({ version: 'v4', ...common, auth: options.auth as unknown as sheets_v4.Options['auth'] });
    this.errorContext = { serviceAccountEmail: options.serviceAccountEmail ?? emailOf(options.auth), timeoutMs };
  }

  /**
   * Lists the folder's untrashed files, following every page (shared drives included).
   * Note: Drive answers a folder that is not shared with the service account with an empty list, not an error;
   * callers that expect files should treat "none" as a possible sharing problem.
   */
  async listFolder(folderId: string): Promise<DriveFile[]> {
    const what = `folder "${folderId}"`;
    requireId(folderId, 'folder');
    const files: DriveFile[] = [];
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    do {
      const data = await this.call(what, async () => {
        const response = await this.drive.files.list({
          q: `'${escapeQueryString(folderId)}' in parents and trashed = false`,
          fields: 'nextPageToken, files(id,name,mimeType,modifiedTime)',
          pageSize: 100,
          pageToken,
          supportsAllDrives: true,
          includeItemsFromAllDrives: true,
        });
        return response.data;
      });
      const page = fileListSchema.safeParse(data);
      if (!page.success) throw invalid(what, 'the file list came back without the expected fields');
      files.push(...page.data.files);
      pageToken = page.data.nextPageToken ?? undefined;
      // A token Google already gave would loop forever; better to say so than to hang the Lambda.
      if (pageToken !== undefined) {
        if (seenTokens.has(pageToken)) throw invalid(what, 'the file list repeated a page token');
        seenTokens.add(pageToken);
      }
    } while (pageToken);
    return files;
  }

  /** The document's text (legacy body, i.e. the first tab); see {@link docText} for the line rules. */
  async readDocText(documentId: string): Promise<string> {
    const what = `document "${documentId}"`;
    requireId(documentId, 'document');
    const document = await this.call(what, async () => (await this.docs.documents.get({ documentId })).data);
    const text = docText(document);
    if (text === undefined) throw invalid(what, 'the document came back without a body');
    return text;
  }

  /** The doc in Google Docs' editor. */
  docUrl(documentId: string): string {
    return `https://docs.google.com/document/d/${encodeURIComponent(documentId)}/edit`;
  }

  /**
   * Displayed cell values (`FORMATTED_VALUE`) of `range` (default `A:Z` of the first sheet), rows padded with ''
   * to the widest row. An empty sheet is `[]`.
   */
  async readSheetRows(spreadsheetId: string, range?: string): Promise<string[][]> {
    const what = `sheet "${spreadsheetId}"`;
    requireId(spreadsheetId, 'spreadsheet');
    const data = await this.call(what, async () => {
      const response = await this.sheets.spreadsheets.values.get({
        spreadsheetId,
        range: range ?? 'A:Z',
        valueRenderOption: 'FORMATTED_VALUE',
      });
      return response.data;
    });
    const parsed = valueRangeSchema.safeParse(data);
    if (!parsed.success) throw invalid(what, 'the cell values came back in an unexpected shape');
    // Google leaves out trailing empty cells (and `values` altogether for an empty sheet); pad so every row
    // has the same width and callers can index columns without checking.
    const rows = (parsed.data.values ?? []).map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
    const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
    return rows.map((row) => (row.length < width ? [...row, ...new Array<string>(width - row.length).fill('')] : row));
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toReadError(error, what, this.errorContext);
    }
  }
}

const fileListSchema = z.object({
  nextPageToken: z.string().nullish(),
  files: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string(),
      mimeType: z.string().min(1),
      modifiedTime: z.string().min(1),
    }),
  ),
});

const valueRangeSchema = z.object({
  values: z.array(z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))).nullish(),
});

/**
 * A Google Doc's text as the doc parsers read it: one line per paragraph (list items as their text, no bullet),
 * one line per table row with the cells joined by a tab, table-of-contents skipped (it repeats the headings).
 * A cell's own paragraphs and any table nested in it are flattened into that cell, joined by spaces, so a row
 * stays one line. Reads the legacy `body` (the first tab), or the first tab when only `tabs` came back.
 * Returns undefined when the document has neither.
 */
export function docText(document: docs_v1.Schema$Document): string | undefined {
  const content = document.body?.content ?? document.tabs?.[0]?.documentTab?.body?.content;
  if (!Array.isArray(content)) return undefined;
  const lines: string[] = [];
  contentLines(content, lines);
  return lines.join('\n');
}

function contentLines(content: readonly docs_v1.Schema$StructuralElement[], lines: string[]): void {
  for (const element of content) {
    if (element.paragraph) {
      lines.push(paragraphText(element.paragraph));
    } else if (element.table) {
      for (const row of element.table.tableRows ?? []) {
        lines.push((row.tableCells ?? []).map(cellText).join('\t'));
      }
    }
    // sectionBreak carries no text; tableOfContents only repeats headings that are in the body anyway.
  }
}

function paragraphText(paragraph: docs_v1.Schema$Paragraph): string {
  const text = (paragraph.elements ?? []).map(elementText).join('');
  // Every paragraph ends with "\n" in the Docs model; the line break is ours to add.
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function elementText(element: docs_v1.Schema$ParagraphElement): string {
  if (element.textRun) return element.textRun.content ?? '';
  // Smart chips read as what the owner sees on the page.
  if (element.person) return element.person.personProperties?.name ?? element.person.personProperties?.email ?? '';
  if (element.richLink)
    return element.richLink.richLinkProperties?.title ?? element.richLink.richLinkProperties?.uri ?? '';
  if (element.dateElement) return element.dateElement.dateElementProperties?.displayText ?? '';
  return '';
}

function cellText(cell: docs_v1.Schema$TableCell): string {
  const lines: string[] = [];
  contentLines(cell.content ?? [], lines);
  // A tab inside a cell would split it into two cells for the reader; it is just a space here.
  return lines
    .map((line) => line.replace(/\t/g, ' ').trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** Drive query strings are single-quoted; a quote or backslash inside must be escaped with a backslash. */
function escapeQueryString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

function requireId(id: string, noun: string): void {
  // googleapis throws a plain "Missing required parameters" Error for an empty id; say it in our terms instead.
  if (id.trim() === '') throw new GoogleReadError('invalid', `No ${noun} id was given.`);
}

function invalid(what: string, detail: string): GoogleReadError {
  return new GoogleReadError('invalid', `Reading ${what} failed: ${detail}.`);
}

function emailOf(auth: GoogleAuthClient): string | undefined {
  return auth instanceof JWT && typeof auth.email === 'string' ? auth.email : undefined;
}

/** The parts of a gaxios error we look at; read structurally because several gaxios copies may be installed. */
interface HttpFailure {
  readonly status?: unknown;
  readonly code?: unknown;
  readonly name?: unknown;
  readonly message?: unknown;
  readonly response?: { readonly status?: unknown };
  readonly config?: {
    readonly url?: unknown;
    readonly signal?: { readonly aborted?: unknown; readonly reason?: unknown };
  };
}

const TIMEOUT_CODES = new Set(['TimeoutError', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/** Turns whatever the client threw into a `GoogleReadError` whose message tells the operator what to do. */
function toReadError(error: unknown, what: string, context: ErrorContext): GoogleReadError {
  if (error instanceof GoogleReadError) return error;
  const failure: HttpFailure = typeof error === 'object' && error !== null ? error : {};
  const rawStatus = failure.status ?? failure.response?.status;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const said = googleSaid(failure.message);
  const http = status === undefined ? '' : ` (HTTP ${status}${said === '' ? '' : `: ${said}`})`;
  const account = context.serviceAccountEmail ?? "the service account's email (client_email in its key)";
  const share = `share it (or its folder) with ${account} as a Viewer`;

  // The token endpoint refusing a JWT (revoked or wrong key) is a credentials problem, not a sharing one.
  if (
    String(failure.config?.url ?? '').includes('oauth2.googleapis.com/token') &&
    status !== undefined &&
    status < 500
  ) {
    return new GoogleReadError(
      'forbidden',
      `Google refused the service-account key while reading ${what}${http}. Check the key is current.`,
    );
  }
  if (status === 401) {
    return new GoogleReadError(
      'forbidden',
      `Google did not accept the credentials for ${what}${http}. Check the service-account key, and ${share}.`,
    );
  }
  if (status === 403) {
    return new GoogleReadError(
      'forbidden',
      `Google refused access to ${what}${http}. Share it (or its folder) with ${account} as a Viewer.`,
    );
  }
  if (status === 404) {
    // Drive answers 404, not 403, for a file that exists but is not shared with the caller.
    return new GoogleReadError(
      'not_found',
      `Google could not find ${what}${http}. Check the id; if the file exists, ${share}.`,
    );
  }
  if (status === 408) return new GoogleReadError('timeout', `Google timed out reading ${what}${http}.`);
  if (status === 429 || (status !== undefined && status >= 500)) {
    return new GoogleReadError('unavailable', `Google is unavailable for ${what}${http}.`);
  }
  if (status !== undefined) {
    // 400 and friends: e.g. a Word file that was uploaded but never converted to a Google Doc, or a bad range.
    return new GoogleReadError('invalid', `Google could not read ${what}${http}.`);
  }
  if (isTimeout(failure)) {
    return new GoogleReadError('timeout', `Google did not answer for ${what} within ${context.timeoutMs} ms.`);
  }
  return new GoogleReadError('unavailable', `Could not reach Google for ${what}${said === '' ? '' : ` (${said})`}.`);
}

/** What error messages need to know about the adapter. */
interface ErrorContext {
  readonly serviceAccountEmail: string | undefined;
  readonly timeoutMs: number;
}

/**
 * gaxios (over node-fetch) reports its own timeout as a bare "operation was aborted" error; the tell is the request
 * signal, aborted with a TimeoutError reason. This adapter passes no abort signal of its own, so an aborted request
 * signal always means the timeout fired.
 */
function isTimeout(failure: HttpFailure): boolean {
  if (typeof failure.code === 'string' && TIMEOUT_CODES.has(failure.code)) return true;
  if (failure.name === 'TimeoutError') return true;
  return failure.config?.signal?.aborted === true;
}

/** Google's own error text (e.g. "The caller does not have permission"), one line, without a closing period. */
function googleSaid(message: unknown): string {
  if (typeof message !== 'string') return '';
  const line = message.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** A required string field whose messages name the field and never quote its value. */
function keyField(name: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is missing` : `${name} is not a string`) })
    .trim()
    .min(1, { error: `${name} is empty` });
}

const serviceAccountKeySchema = z.object(
  {
    type: z.string().optional(),
    client_email: keyField('client_email').pipe(z.email({ error: 'client_email is not an email address' })),
    private_key: keyField('private_key'),
    private_key_id: z.string().optional(),
  },
  { error: 'expected a JSON object' },
);

/**
 * Builds the production auth client from a service-account key (the JSON Google offers for download, kept in
 * Secrets Manager). No domain-wide delegation: the owner shares the folder with the key's `client_email`.
 *
 * Errors name the missing or wrong field and never include the key text, since they end up in logs.
 * @param keyJson the key file's JSON text
 * @param scopes defaults to {@link GOOGLE_READ_SCOPES}
 */
export function serviceAccountAuth(keyJson: string, scopes: readonly string[] = GOOGLE_READ_SCOPES): JWT {
  let raw: unknown;
  try {
    raw = JSON.parse(keyJson);
  } catch {
    // The SyntaxError quotes the text around the fault, which may be part of the key; say only what is wrong.
    throw new Error('Service-account key: not valid JSON.');
  }
  const parsed = serviceAccountKeySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    // Messages are set above and name the field; a zod default (e.g. for `type`) does not quote the value either.
    const reason = issue?.message ?? 'unexpected shape';
    throw new Error(`Service-account key: ${field !== '' && !reason.includes(field) ? `${field}: ` : ''}${reason}.`);
  }
  const key = parsed.data;
  if (key.type !== undefined && key.type !== 'service_account') {
    throw new Error(
      `Service-account key: type is "${key.type}", expected "service_account" (download a key for a service account, ` +
        `not an OAuth client).`,
    );
  }
  // Keys pasted through environment variables or consoles often arrive with "\n" as two characters.
  const privateKey = key.private_key.includes('\n') ? key.private_key : key.private_key.replace(/\\n/g, '\n');
  try {
    createPrivateKey(privateKey);
  } catch {
    throw new Error('Service-account key: private_key is not a PEM private key.');
  }
  return new JWT({ email: key.client_email, key: privateKey, keyId: key.private_key_id, scopes: [...scopes] });
}
