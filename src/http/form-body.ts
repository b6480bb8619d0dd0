import { type FunctionUrlEvent, header } from './function-url';

/**
 * Reads the small form a public POST carries: `application/x-www-form-urlencoded` or `multipart/form-data`
 * (RFC 7578), base64-encoded or not (a Function URL hands non-text bodies over base64, multipart included).
 *
 * Bounded and total: it never throws. Anything it cannot read with certainty (a body over {@link MAX_FORM_BYTES}, bad
 * base64 or UTF-8, a multipart body cut short or without its boundary, a field given twice with different values, a
 * content type that is not a form) is `{ ok: false }` with a short reason for the log.
 */
export type FormRead =
  | { readonly ok: true; readonly fields: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string };

/** The largest form body read, in bytes. An RFC 8058 body is 26 bytes urlencoded and about 150 as multipart. */
export const MAX_FORM_BYTES = 8 * 1024;
/** At most this many fields (or multipart parts). */
export const MAX_FORM_FIELDS = 32;

const MAX_PART_HEADER_BYTES = 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readFormBody(event: FunctionUrlEvent, maxBytes = MAX_FORM_BYTES): FormRead {
  const bytes = bodyBytes(event, maxBytes);
  if (!Buffer.isBuffer(bytes)) return bytes;
  const contentType = header(event, 'content-type') ?? '';
  const [mediaType = '', ...params] = contentType.split(';');
  switch (mediaType.trim().toLowerCase()) {
    // No content type, or text/plain (a hand-made `curl -d`, a form with enctype text/plain): read as urlencoded.
    case '':
    case 'text/plain':
    case 'application/x-www-form-urlencoded':
      return readUrlEncoded(bytes);
    case 'multipart/form-data': {
      const boundary = boundaryOf(params);
      return boundary === undefined ? fail('multipart without a usable boundary') : readMultipart(bytes, boundary);
    }
    default:
      return fail('not a form content type');
  }
}

function fail(reason: string): FormRead {
  return { ok: false, reason };
}

function bodyBytes(event: FunctionUrlEvent, maxBytes: number): Buffer | FormRead {
  const body = event.body ?? '';
  if (!event.isBase64Encoded) {
    // A JavaScript string of n code units is at most 3n UTF-8 bytes; check the cheap bound before encoding.
    if (body.length > maxBytes) return fail('body too large');
    const bytes = Buffer.from(body, 'utf8');
    return bytes.length > maxBytes ? fail('body too large') : bytes;
  }
  if (body.length > Math.ceil(maxBytes / 3) * 4) return fail('body too large');
  if (body.length % 4 !== 0 || !BASE64.test(body)) return fail('body is not base64');
  const bytes = Buffer.from(body, 'base64');
  return bytes.length > maxBytes ? fail('body too large') : bytes;
}

function text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Adds a field; the same name twice is fine only with the same value (otherwise which one was meant?). */
function add(fields: Map<string, string>, name: string, value: string): string | undefined {
  const earlier = fields.get(name);
  if (earlier !== undefined && earlier !== value)
    return `field "${name.slice(0, 40)}" given twice with different values`;
  if (earlier === undefined && fields.size >= MAX_FORM_FIELDS) return 'too many fields';
  fields.set(name, value);
  return undefined;
}

function readUrlEncoded(bytes: Buffer): FormRead {
  const decoded = text(bytes);
  if (decoded === undefined) return fail('body is not UTF-8');
  const fields = new Map<string, string>();
  // URLSearchParams never throws; a malformed escape such as "%zz" is kept as the literal text, which no field
  // this endpoint reads will match.
  for (const [name, value] of new URLSearchParams(decoded.trim())) {
    const problem = add(fields, name, value);
    if (problem) return fail(problem);
  }
  return { ok: true, fields };
}

/** The boundary parameter (RFC 2046: 1 to 70 characters, quoted or not). */
function boundaryOf(params: readonly string[]): string | undefined {
  for (const param of params) {
    const match = /^\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s";]{1,70}))\s*$/i.exec(param);
    if (match) return match[1] ?? match[2];
  }
  return undefined;
}

/**
 * A buffered RFC 7578 reader for small forms: text fields only (a part with a filename is skipped unread), CRLF or
 * bare LF line ends, a preamble and an epilogue allowed. The delimiter is `--` plus the boundary; when the body has
 * none, the bare boundary is tried, because RFC 8058's own multipart example (section 8.3, before its errata) writes
 * its delimiters that way and a mail receiver may have copied it.
 */
function readMultipart(bytes: Buffer, boundary: string): FormRead {
  // latin1 maps each byte to one character, so indexes found in the string are byte offsets.
  const body = bytes.toString('latin1');
  const delimiter = [`--${boundary}`, boundary].find((candidate) => startOfFirst(body, candidate) !== -1);
  if (delimiter === undefined) return fail('multipart body without its boundary');

  const fields = new Map<string, string>();
  let at = startOfFirst(body, delimiter) + delimiter.length;
  for (let parts = 0; ; parts++) {
    if (body.startsWith('--', at)) return { ok: true, fields }; // the close delimiter; the rest is epilogue
    if (parts >= MAX_FORM_FIELDS) return fail('too many parts');
    const lineEnd = /^[ \t]*\r?\n/.exec(body.slice(at, at + 80));
    if (!lineEnd) return fail('multipart delimiter not followed by a line end');
    const partStart = at + lineEnd[0].length;
    const next = nextDelimiter(body, delimiter, partStart);
    if (next === undefined) return fail('multipart body cut short (no closing boundary)');

    const part = body.slice(partStart, next.contentEnd);
    const headerEnd = /\r?\n\r?\n/.exec(part);
    if (!headerEnd || headerEnd.index > MAX_PART_HEADER_BYTES) return fail('multipart part without readable headers');
    const disposition = contentDisposition(part.slice(0, headerEnd.index));
    if (disposition === undefined) return fail('multipart part without a form-data name');
    if (disposition.filename === undefined) {
      const valueStart = partStart + headerEnd.index + headerEnd[0].length;
      const value = text(bytes.subarray(valueStart, next.contentEnd));
      const name = Buffer.from(disposition.name, 'latin1').toString('utf8');
      if (value === undefined) return fail('multipart value is not UTF-8');
      const problem = add(fields, name, value);
      if (problem) return fail(problem);
    }
    at = next.delimiterEnd;
  }
}

/** Where the first delimiter line starts: at the very beginning, or after a preamble's line end. */
function startOfFirst(body: string, delimiter: string): number {
  if (body.startsWith(delimiter)) return 0;
  const index = body.indexOf(`\n${delimiter}`);
  return index === -1 ? -1 : index + 1;
}

/**
 * The next delimiter after `from`: where the part's content ends (before the line end) and where the delimiter ends.
 */
function nextDelimiter(
  body: string,
  delimiter: string,
  from: number,
): { contentEnd: number; delimiterEnd: number } | undefined {
  const index = body.indexOf(`\n${delimiter}`, from - 1);
  if (index === -1) return undefined;
  const contentEnd = index > 0 && body[index - 1] === '\r' ? index - 1 : index;
  return { contentEnd: Math.max(contentEnd, from), delimiterEnd: index + 1 + delimiter.length };
}

/** `Content-Disposition: form-data; name="..."[; filename="..."]` among a part's header lines. */
function contentDisposition(headers: string): { name: string; filename?: string } | undefined {
  for (const line of headers.split(/\r?\n/)) {
    const match = /^content-disposition\s*:\s*form-data\s*(;.*)?$/i.exec(line.trim());
    if (!match) continue;
    const params = new Map<string, string>();
    const paramPattern = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
    for (const param of (match[1] ?? '').matchAll(paramPattern)) {
      const value = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
      params.set((param[1] ?? '').toLowerCase(), value);
    }
    const name = params.get('name');
    if (name === undefined || name === '') return undefined;
    const filename = params.get('filename');
    return filename === undefined ? { name } : { name, filename };
  }
  return undefined;
}
