import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FunctionUrlEvent, FunctionUrlHandler, FunctionUrlResult } from '../http/function-url';

/** Requests above this are cut off before reaching a handler; Function URLs allow 6 MB in buffered mode. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export interface Route {
  /** Path prefix, e.g. `/webhooks/`. */
  readonly prefix: string;
  readonly handler: FunctionUrlHandler;
}

/**
 * Serves Function URL handlers over plain HTTP, building the same event shape Lambda gives them
 * (payload format 2.0, lower-cased header names), so local runs exercise the production handler code.
 */
export function startHttpServer(routes: readonly Route[], port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((request, response) => {
    void serve(routes, request, response);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(server));
  });
}

async function serve(routes: readonly Route[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes.find((candidate) => url.pathname.startsWith(candidate.prefix));
    if (!route)
      return send(response, {
        statusCode: 404,
        headers: { 'content-type': 'application/json' },
        body: '{"error":"not_found"}',
      });
    const body = await readBody(request);
    if (body === undefined) return send(response, { statusCode: 413, body: '{"error":"payload_too_large"}' });
    const result = await route.handler(toFunctionUrlEvent(request, url, body));
    send(response, result);
  } catch {
    send(response, { statusCode: 500, body: '{"error":"internal_error"}' });
  }
}

/** The Lambda Function URL event for a Node request. */
export function toFunctionUrlEvent(request: IncomingMessage, url: URL, body: Buffer): FunctionUrlEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const method = request.method ?? 'GET';
  const binary = !/^(application\/(json|x-www-form-urlencoded)|text\/)/i.test(headers['content-type'] ?? 'text/plain');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${Date.now().toString(36)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: body.length === 0 ? undefined : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: body.length > 0 && binary,
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: FunctionUrlResult): void {
  response.writeHead(result.statusCode, { 'content-type': 'application/json', ...result.headers });
  response.end(result.body ?? '');
}
