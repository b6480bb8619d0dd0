import type { LambdaFunctionURLEvent } from 'aws-lambda';

export type FunctionUrlEvent = LambdaFunctionURLEvent;

/** The structured response a Function URL handler returns (payload format 2.0). */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}
export type FunctionUrlHandler = (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;

/**
 * An error that is safe to show the caller: a status, a short machine code and a human message.
 * Anything else that escapes a handler becomes a bare 500 with no detail.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): FunctionUrlResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** Maps a thrown error to a short JSON response; unexpected errors never show their message or stack. */
export function errorResponse(error: unknown): FunctionUrlResult {
  if (error instanceof HttpError) {
    return jsonResponse(error.statusCode, { error: error.code, message: error.message }, error.headers);
  }
  return jsonResponse(500, { error: 'internal_error', message: 'Something went wrong on our side; please retry.' });
}

/** The raw request body as bytes, decoding base64 when the Function URL did. */
export function rawBody(event: FunctionUrlEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Function URLs lower-case header names; this reads one whatever the caller sent. */
export function header(event: FunctionUrlEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()] ?? undefined;
}

/** Parses JSON or fails with a 400 that says so. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
}
