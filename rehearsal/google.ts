/**
 * Google, for the bundles that read the owner's docs: the deployed code calls https://docs.googleapis.com and
 * https://oauth2.googleapis.com with no way to point it elsewhere, so the rehearsal does what a corporate proxy does.
 * The functions get `HTTPS_PROXY` (which gaxios, under the googleapis clients, honours) and `NODE_EXTRA_CA_CERTS` with
 * a certificate authority made for this run; the proxy answers CONNECT, ends TLS with a certificate that CA signed for
 * *.googleapis.com, and serves the project's Google fake (test/support/google-fake.ts) and a token endpoint that
 * checks the service account's signed JWT.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GoogleFake, startGoogleFake } from '../test/support/google-fake';

export interface GoogleStandIn {
  readonly fake: GoogleFake;
  /** What a function's environment needs to reach it. */
  readonly env: Record<string, string>;
  /** A service-account key (JSON) whose JWTs the token endpoint accepts. */
  readonly serviceAccountKey: string;
  /** Token requests seen, with whether the JWT's signature verified. */
  readonly tokens: Array<{ email: string; verified: boolean }>;
  stop(): Promise<void>;
}

export async function startGoogleStandIn(): Promise<GoogleStandIn> {
  const dir = mkdtempSync(join(tmpdir(), 'cr-rehearsal-google-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=cart-recovery rehearsal CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/CN=*.googleapis.com',
  );
  writeFileSync(
    join(dir, 'leaf.ext'),
    'subjectAltName=DNS:*.googleapis.com,DNS:googleapis.com\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'leaf.pem',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
  );

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'cart-recovery@rehearsal-project.iam.gserviceaccount.com';
  const serviceAccountKey = JSON.stringify({
    type: 'service_account',
    project_id: 'rehearsal-project',
    private_key_id: 'rehearsal',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    client_id: '100000000000000000001',
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  const verifyKey = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
  const tokens: GoogleStandIn['tokens'] = [];

  const fake = await startGoogleFake();
  const fakeUrl = new URL(fake.url);
  const tls = createHttpsServer(
    { key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.pem')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const host = String(req.headers.host ?? '').split(':')[0];
        if (host === 'oauth2.googleapis.com' && req.url === '/token') {
          const assertion = new URLSearchParams(Buffer.concat(chunks).toString()).get('assertion') ?? '';
          const [header, payload, signature] = assertion.split('.');
          const verified =
            header !== undefined &&
            payload !== undefined &&
            signature !== undefined &&
            createVerify('RSA-SHA256')
              .update(`${header}.${payload}`)
              .verify(verifyKey, Buffer.from(signature, 'base64url'));
          const claims = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss?: string }) : {};
          tokens.push({ email: claims.iss ?? '', verified });
          res.writeHead(verified ? 200 : 400, { 'content-type': 'application/json' });
          return void res.end(
            JSON.stringify(
              verified
                ? { access_token: 'ya29.rehearsal', expires_in: 3599, token_type: 'Bearer' }
                : { error: 'invalid_grant' },
            ),
          );
        }
        // docs.googleapis.com, www.googleapis.com (Drive), sheets.googleapis.com: the fake serves them all by path.
        const forward = httpRequest(
          {
            host: fakeUrl.hostname,
            port: fakeUrl.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: fakeUrl.host },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.writeHead(502).end());
        forward.end(Buffer.concat(chunks));
      });
    },
  );
  const sockets = new Set<Socket>();
  const proxy = createServer((_req, res) => res.writeHead(405).end('CONNECT only'));
  proxy.on('connect', (req, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const host = String(req.url ?? '').split(':')[0] ?? '';
    if (!host.endsWith('googleapis.com')) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    tls.emit('connection', socket);
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  const port = (proxy.address() as AddressInfo).port;

  return {
    fake,
    serviceAccountKey,
    tokens,
    env: {
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
      NO_PROXY: '127.0.0.1,localhost',
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => proxy.close(() => done()));
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
