/**
 * An SES v2 endpoint on 127.0.0.1 for the real SESv2Client: `POST /v2/email/outbound-emails` (restJson1), with a
 * fault chosen per request. It records every message it accepted, with its tags, so a test can count emails that
 * really went out, whatever the client was told.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AWS_CLIENT_POLICY, clientOptions } from '../src/composition/aws/policy';

/**
 * What the stand-in does with one request:
 * - `accept`: accepts and answers 200 with the message id.
 * - `accept-lose`: accepts, then drops the connection before answering (the answer is lost).
 * - `accept-5xx`: accepts, then answers 500 (a server error after the message existed).
 * - `5xx`: answers 500 without accepting.
 * - `throttle`: 429 TooManyRequestsException, nothing accepted.
 * - `reject`: 400 MessageRejected, nothing accepted.
 * - `pause`: 400 SendingPausedException, nothing accepted.
 * - `hang`: reads the request and never answers, keeping the connection open (nothing accepted): only the client's
 *   own request timeout can end the call.
 */
export type SesFault = 'accept' | 'accept-lose' | 'accept-5xx' | '5xx' | 'throttle' | 'reject' | 'pause' | 'hang';

export interface AcceptedMessage {
  readonly messageId: string;
  readonly to: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The stand-in's clock when it accepted (the test's simulated time). */
  readonly at: number;
}

/** SES's SEND event for a message the stand-in accepted, as EventBridge delivers it to the feedback function. */
export function sesSendEventOf(message: AcceptedMessage) {
  return {
    source: 'aws.ses',
    'detail-type': 'Email Sent',
    detail: {
      eventType: 'Send',
      mail: {
        messageId: message.messageId,
        timestamp: new Date(message.at).toISOString(),
        tags: Object.fromEntries(Object.entries(message.tags).map(([k, v]) => [k, [v]])),
      },
    },
  };
}

export interface SesStandIn {
  readonly endpoint: string;
  readonly accepted: AcceptedMessage[];
  /** Requests seen, accepted or not. */
  requests: number;
  /** Decides each request's fate; `accept` by default. */
  decide: (request: { readonly tags: Readonly<Record<string, string>>; readonly to: string }) => SesFault;
  /** A client as the composition root makes it (one attempt), pointed here; one for the stand-in's life. */
  client(): SESv2Client;
  close(): Promise<void>;
}

const ERRORS: Partial<Record<SesFault, { status: number; type: string; message: string }>> = {
  throttle: { status: 429, type: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' },
  reject: { status: 400, type: 'MessageRejected', message: 'Email address is not verified.' },
  pause: { status: 400, type: 'SendingPausedException', message: 'Sending is paused for this account.' },
  '5xx': { status: 500, type: 'InternalFailure', message: 'We encountered an internal error.' },
  'accept-5xx': { status: 500, type: 'InternalFailure', message: 'We encountered an internal error.' },
};

/**
 * @param now the simulated time the stand-in stamps (and rate-limits) by.
 * @param options.patientClient give the client a minute before it gives up, instead of production's seconds: for
 *   measurements of the design (the rush), where a timeout would only measure how busy this machine is.
 */
export async function startSesStandIn(
  now: () => number,
  options: { readonly patientClient?: boolean } = {},
): Promise<SesStandIn> {
  let counter = 0;
  const standIn: Omit<SesStandIn, 'endpoint' | 'client' | 'close'> = {
    accepted: [],
    requests: 0,
    decide: () => 'accept',
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      standIn.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        Destination?: { ToAddresses?: string[] };
        EmailTags?: Array<{ Name: string; Value: string }>;
      };
      const tags = Object.fromEntries((body.EmailTags ?? []).map((tag) => [tag.Name, tag.Value]));
      const to = body.Destination?.ToAddresses?.[0] ?? '';
      const fault =
        request.method === 'POST' && request.url === '/v2/email/outbound-emails'
          ? standIn.decide({ tags, to })
          : 'reject';
      const accept = fault === 'accept' || fault === 'accept-lose' || fault === 'accept-5xx';
      const messageId = `stand-in-${++counter}`;
      if (accept) standIn.accepted.push({ messageId, to, tags, at: now() });
      if (fault === 'accept-lose') {
        request.socket.destroy();
        return;
      }
      if (fault === 'hang') return;
      const error = ERRORS[fault];
      if (error) {
        response.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': `${error.type}:` });
        response.end(JSON.stringify({ message: error.message }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ MessageId: messageId }));
    });
  });
  // Keep idle connections open far longer than any pause in a test. Node closes them after 5 s by default, and a
  // request the client sends on a connection just as it closes is reset unanswered: an "unknown" the sender settles
  // correctly, but only at the lease's end, which would make a measurement of the design measure this machine.
  server.keepAliveTimeout = 600_000;
  server.headersTimeout = 601_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let shared: SESv2Client | undefined;
  return Object.assign(standIn, {
    endpoint,
    client() {
      if (shared) return shared;
      // Production's attempts and timeouts; a timeout on a busy machine is one more "unknown" the sender must handle.
      const policy = options.patientClient
        ? { ...AWS_CLIENT_POLICY.ses, connectionTimeoutMs: 60_000, requestTimeoutMs: 60_000 }
        : AWS_CLIENT_POLICY.ses;
      const client = new SESv2Client({
        ...clientOptions(policy),
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      shared = client;
      return client;
    },
    async close() {
      shared?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
