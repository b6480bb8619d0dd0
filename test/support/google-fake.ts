import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { docs_v1 } from '@googleapis/docs';
import type { DriveFile } from '../../src/ports/google-drive';

/** One request the fake received, for assertions. */
export interface RecordedRequest {
  readonly method: string;
  /** Decoded path without the query, e.g. `/v4/spreadsheets/s1/values/A:Z`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
}

/** What a programmed failure does: answer with this status, or never answer (so the client times out). */
export type FakeFailure = number | 'hang';

/** A local stand-in for the Docs, Drive and Sheets APIs at the paths the real clients call with `rootUrl`. */
export interface GoogleFake {
  /** Base URL to pass as `rootUrl`, with a trailing slash. */
  readonly url: string;
  /** Documents by id, served at `GET /v1/documents/:id`. */
  readonly docs: Map<string, docs_v1.Schema$Document>;
  /** Folder contents by folder id, served by `GET /drive/v3/files?q='<id>' in parents ...`. */
  readonly folders: Map<string, DriveFile[]>;
  /** Cell values by spreadsheet id, served at `GET /v4/spreadsheets/:id/values/:range` (the range is ignored). */
  readonly sheets: Map<string, string[][]>;
  /** Files per Drive page (the real client asks for 100; lower it to exercise pagination). */
  drivePageSize: number;
  /** The next request whose path starts with `pathPrefix` fails this way (once). */
  failNext(pathPrefix: string, failure: FakeFailure): void;
  readonly requests: RecordedRequest[];
  /** Empties the maps, pending failures and recorded requests, and restores the page size. */
  reset(): void;
  stop(): Promise<void>;
}

type FakeState = Omit<GoogleFake, 'url' | 'stop'>;

/** Starts the fake on 127.0.0.1 at a free port. */
export async function startGoogleFake(): Promise<GoogleFake> {
  const failures: { prefix: string; failure: FakeFailure }[] = [];
  const requests: RecordedRequest[] = [];

  const fake: FakeState = {
    docs: new Map(),
    folders: new Map(),
    sheets: new Map(),
    drivePageSize: 100,
    failNext(prefix, failure) {
      failures.push({ prefix, failure });
    },
    requests,
    reset() {
      fake.docs.clear();
      fake.folders.clear();
      fake.sheets.clear();
      fake.drivePageSize = 100;
      failures.length = 0;
      requests.length = 0;
    },
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const path = decodeURIComponent(url.pathname);
    requests.push({
      method: request.method ?? '',
      path,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
    });

    const index = failures.findIndex((f) => path.startsWith(f.prefix));
    const failure = failures[index]?.failure;
    if (failure !== undefined) {
      failures.splice(index, 1);
      if (failure === 'hang') return; // Never answer; stop() closes the socket.
      return sendError(response, failure);
    }
    if (request.method !== 'GET') return sendError(response, 405);
    route(path, url.searchParams, fake, response);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // Hung requests keep their sockets open; close them or close() waits forever.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}

function route(path: string, query: URLSearchParams, fake: FakeState, response: ServerResponse): void {
  let match = /^\/v1\/documents\/([^/]+)$/.exec(path);
  if (match) {
    const doc = fake.docs.get(match[1] ?? '');
    if (doc) sendJson(response, 200, doc);
    else sendError(response, 404);
    return;
  }
  if (path === '/drive/v3/files') {
    // The adapter's query is `'<id>' in parents and trashed = false`; pull the id back out (unescaping \' and \\).
    const q = /^'((?:[^'\\]|\\.)*)' in parents and trashed = false$/.exec(query.get('q') ?? '');
    if (!q) {
      sendError(response, 400);
      return;
    }
    const folderId = (q[1] ?? '').replace(/\\(.)/g, '$1');
    const files = fake.folders.get(folderId) ?? [];
    const start = Number(query.get('pageToken') ?? '0');
    const end = start + fake.drivePageSize;
    const page = files.slice(start, end);
    sendJson(response, 200, end < files.length ? { nextPageToken: String(end), files: page } : { files: page });
    return;
  }
  match = /^\/v4\/spreadsheets\/([^/]+)\/values\/(.+)$/.exec(path);
  if (match) {
    const rows = fake.sheets.get(match[1] ?? '');
    if (!rows) {
      sendError(response, 404);
      return;
    }
    // Like Google: no `values` at all for an empty sheet.
    sendJson(response, 200, { range: match[2], majorDimension: 'ROWS', ...(rows.length > 0 ? { values: rows } : {}) });
    return;
  }
  sendError(response, 404);
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  500: 'INTERNAL',
};

const STATUS_MESSAGES: Record<number, string> = {
  401: 'Request had invalid authentication credentials.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  500: 'Internal error encountered.',
};

/** Google's JSON error envelope, so the client extracts the message the way it does in production. */
function sendError(response: ServerResponse, status: number): void {
  const message = STATUS_MESSAGES[status] ?? 'Request failed.';
  sendJson(response, status, { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}
