import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../ports/clock';
import type { Mailer, OutgoingEmail } from '../../ports/mailer';
import { escapeHtml } from '../../domain/email/html';

/** One sent message as stored in `<name>.json`. */
export interface OutboxMessage {
  readonly messageId: string;
  /** ISO time from the outbox's clock (simulated time locally). */
  readonly sentAt: string;
  readonly to: string;
  readonly from: string;
  readonly replyTo?: string;
  readonly subject: string;
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly tags: Readonly<Record<string, string>>;
  readonly text: string;
  readonly html: string;
}

/** A stored message plus the base name of its files (`<name>.json`, `<name>.html`, `<name>.txt`). */
export interface OutboxEntry extends OutboxMessage {
  readonly name: string;
}

/** What {@link outboxHandler} answers; the local HTTP server turns it into a response. */
export interface OutboxResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Base names the outbox writes and serves; nothing else (no `/`, no `..`) can reach the file system. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const SLUG_MAX = 40;
const HTML_TYPE = 'text/html; charset=utf-8';
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: HTML_TYPE,
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * The local system's mailer: every message becomes three files in a folder, so a person can open the email in a
 * browser exactly as composed, read the text part, and see everything the real mailer would have sent.
 * Files are named `<timestamp>-<slug>` after the clock's time, so the folder sorts chronologically.
 */
export class OutboxMailer implements Mailer {
  constructor(
    private readonly dir: string,
    private readonly clock: Clock,
  ) {}

  /** Writes `<name>.html`, `<name>.txt`, then `<name>.json`; resolves with a `local-<uuid>` message id. */
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const uuid = randomUUID();
    const messageId = `local-${uuid}`;
    const sentAt = this.clock.now();
    const name = `${fileStamp(sentAt)}-${slugOf(email.subject)}-${uuid.slice(0, 8)}`;
    const message: OutboxMessage = {
      messageId,
      sentAt: sentAt.toISOString(),
      to: email.to,
      from: email.from,
      ...(email.replyTo !== undefined ? { replyTo: email.replyTo } : {}),
      subject: email.subject,
      headers: email.headers.map(({ name: headerName, value }) => ({ name: headerName, value })),
      tags: { ...email.tags },
      text: email.text,
      html: email.html,
    };
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${name}.html`), email.html, 'utf8');
    await writeFile(join(this.dir, `${name}.txt`), email.text, 'utf8');
    // The JSON is what lists a message, so it goes last and whole (rename): the index never shows half a message.
    const temporary = join(this.dir, `.${name}.json.tmp`);
    await writeFile(temporary, `${JSON.stringify(message, null, 2)}\n`, 'utf8');
    await rename(temporary, join(this.dir, `${name}.json`));
    return { messageId };
  }
}

/** Every message in the outbox folder, newest first; unreadable files are skipped, a missing folder is empty. */
export function listOutbox(dir: string): OutboxEntry[] {
  if (!existsSync(dir)) return [];
  const entries: OutboxEntry[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    const name = file.slice(0, -'.json'.length);
    if (!SAFE_NAME.test(name)) continue;
    const message = readMessage(join(dir, file));
    if (message) entries.push({ ...message, name });
  }
  // Newest first by the clock's time; the name (which starts with that time) breaks ties deterministically.
  return entries.sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.name.localeCompare(a.name));
}

/**
 * A self-contained HTML page listing the messages (no external assets; every value escaped). Each message links to
 * its rendered HTML and text, shows its List-Unsubscribe header and, when that has an http(s) URL, offers a form
 * that POSTs `List-Unsubscribe=One-Click` to it, exactly what Gmail's unsubscribe button sends (RFC 8058).
 */
export function renderOutboxIndex(entries: readonly OutboxEntry[]): string {
  const items = entries.map(renderEntry).join('\n');
  const body =
    entries.length === 0 ? '<p class="empty">No messages yet.</p>' : `<ol class="messages">\n${items}\n</ol>`;
  return (
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Outbox (${entries.length})</title>
<style>
body { font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2rem; ` +
    `color: #1f2937; }
ol.messages { list-style: none; padding: 0; }
li.message { border: 1px solid #e5e7eb; border-radius: 6px; padding: 0.75rem 1rem; margin-bottom: 0.75rem; }
.meta { color: #6b7280; font-size: 0.875rem; }
.subject { font-weight: 600; margin: 0.25rem 0; }
.tag { display: inline-block; background: #f3f4f6; border-radius: 4px; padding: 0 0.4rem; margin-right: 0.25rem; ` +
    `font-size: 0.8rem; }
code { font-size: 0.8rem; word-break: break-all; }
form { display: inline; }
</style>
</head>
<body>
<h1>Outbox</h1>
${body}
</body>
</html>
`
  );
}

function renderEntry(entry: OutboxEntry): string {
  const tags = Object.entries(entry.tags)
    .map(([key, value]) => `<span class="tag">${escapeHtml(key)}: ${escapeHtml(value)}</span>`)
    .join(' ');
  const name = encodeURIComponent(entry.name);
  const listUnsubscribe = headerValue(entry.headers, 'List-Unsubscribe');
  const oneClick = headerValue(entry.headers, 'List-Unsubscribe-Post');
  const url = listUnsubscribe === undefined ? undefined : firstHttpUrl(listUnsubscribe);
  const unsubscribe =
    listUnsubscribe === undefined
      ? '<div class="meta">No List-Unsubscribe header.</div>'
      : `<div class="meta">List-Unsubscribe: <code>${escapeHtml(listUnsubscribe)}</code></div>
<div class="meta">List-Unsubscribe-Post: <code>${escapeHtml(oneClick ?? '(missing)')}</code></div>` +
        (url === undefined
          ? ''
          : `
<form method="post" action="${escapeHtml(url)}" enctype="application/x-www-form-urlencoded" target="_blank">` +
            '<input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">One-click ' +
            'unsubscribe (POST)</button></form>');
  return (
    `<li class="message">
<div class="meta"><time datetime="${escapeHtml(entry.sentAt)}">${escapeHtml(entry.sentAt)}</time> ` +
    `to ${escapeHtml(entry.to)}</div>
<div class="subject">${escapeHtml(entry.subject)}</div>
<div>${tags}</div>
<div><a href="/outbox/${name}.html">View HTML</a> · <a href="/outbox/${name}.txt">Text</a> · ` +
    `<a href="/outbox/${name}.json">JSON</a></div>
${unsubscribe}
</li>`
  );
}

/**
 * Serves the outbox for the local HTTP server: `/outbox/` is the index; `/outbox/<name>.html|.txt|.json` is a file,
 * but only a name that is actually in the folder. Anything else, including any path traversal, is a 404.
 */
export function outboxHandler(dir: string): (path: string) => OutboxResponse {
  return (path) => {
    const pathname = path.split(/[?#]/, 1)[0] ?? '';
    if (pathname === '/outbox' || pathname === '/outbox/') {
      return { status: 200, contentType: HTML_TYPE, body: renderOutboxIndex(listOutbox(dir)) };
    }
    const match = /^\/outbox\/([^/]+)\.(html|txt|json)$/.exec(pathname);
    const name = match?.[1];
    const extension = match?.[2];
    if (name === undefined || extension === undefined || !SAFE_NAME.test(name)) return notFound();
    const file = `${name}.${extension}`;
    // Membership in the folder listing, not just a well-formed name, decides what may be read.
    if (!existsSync(dir) || !readdirSync(dir).includes(file)) return notFound();
    const full = join(dir, file);
    if (!statSync(full).isFile()) return notFound();
    return {
      status: 200,
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      body: readFileSync(full, 'utf8'),
    };
  };
}

function notFound(): OutboxResponse {
  return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'not found' };
}

function readMessage(file: string): OutboxMessage | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isOutboxMessage(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isOutboxMessage(value: unknown): value is OutboxMessage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const strings = ['messageId', 'sentAt', 'to', 'from', 'subject', 'text', 'html'] as const;
  return (
    strings.every((key) => typeof record[key] === 'string') &&
    Array.isArray(record.headers) &&
    typeof record.tags === 'object' &&
    record.tags !== null
  );
}

function headerValue(headers: OutboxMessage['headers'], name: string): string | undefined {
  return headers.find((header) => header.name.toLowerCase() === name.toLowerCase())?.value;
}

/** The first `<http(s)://...>` entry of a List-Unsubscribe value (RFC 2369 wraps each URI in angle brackets). */
function firstHttpUrl(listUnsubscribe: string): string | undefined {
  for (const [, uri] of listUnsubscribe.matchAll(/<([^>]*)>/g)) {
    if (uri !== undefined && /^https?:\/\//i.test(uri.trim())) return uri.trim();
  }
  return undefined;
}

/** `2026-11-02T20:00:00.000Z` → `2026-11-02T20-00-00-000Z`: sortable and safe in any file system. */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

function slugOf(subject: string): string {
  const slug = subject
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/, '');
  return slug === '' ? 'message' : slug;
}
