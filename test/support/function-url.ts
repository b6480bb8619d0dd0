import type { FunctionUrlEvent } from '../../src/http/function-url';

/** A Function URL event as Lambda delivers it (payload 2.0, lower-case headers). */
export function functionUrlEvent(options: {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
}): FunctionUrlEvent {
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'test',
      domainName: 'test.lambda-url.us-east-1.on.aws',
      domainPrefix: 'test',
      http: {
        method: options.method ?? 'POST',
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '02/Nov/2026:20:00:00 +0000',
      timeEpoch: 0,
    },
    body: options.base64 && options.body !== undefined ? Buffer.from(options.body).toString('base64') : options.body,
    isBase64Encoded: options.base64 ?? false,
  };
}
