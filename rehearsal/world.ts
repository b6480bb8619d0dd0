/**
 * The rehearsal's AWS: loopback stand-ins the bundles reach through `AWS_ENDPOINT_URL_<SERVICE>` (DynamoDB Local
 * behind an IAM-checking proxy, SES v2, Scheduler, Lambda, SQS, SSM, Bedrock Runtime), Function URLs that turn real
 * HTTP requests into payload-2.0 events, the cart stream's mapping, the SES → EventBridge path, and the clock. Every
 * call a function makes is checked against its role by {@link PolicyChecker} before anything happens.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { matchesAnyFilter } from '../src/local/event-filter';
import { type DynamoDbLocal, LOCAL_AWS, startDynamoDbLocal } from '../src/local/dynamodb-local';
import { AccessDenied, type IamRequest, PolicyChecker } from './iam';
import { InitError, type InvocationResult, LambdaService } from './lambda';
import {
  type FunctionSpec,
  type RehearsalTemplate,
  readTemplate,
  REHEARSAL_ACCOUNT,
  REHEARSAL_REGION,
  type SynthOptions,
  synthesize,
} from './template';
import { type GoogleStandIn, startGoogleStandIn } from './google';

// biome-ignore lint/suspicious/noExplicitAny: AWS wire requests and a synthesized template, read by path
type Json = Record<string, any>;

/** The principal the operator's own commands (`npm run carts -- --aws`, the doctor) use: not checked, like an admin. */
export const OPERATOR_KEY = 'AKIAREHEARSALOPERATOR';

/** One email SES accepted. */
export interface SentEmail {
  readonly messageId: string;
  readonly by: string;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: Array<{ Name: string; Value: string }>;
  readonly tags: Array<{ Name: string; Value: string }>;
  readonly at: string;
}

interface PendingSchedule {
  readonly group: string;
  readonly name: string;
  readonly at: number;
  readonly target: Json;
}

export interface RehearsalOptions {
  readonly context: SynthOptions['context'];
  readonly prefix?: string;
  readonly editTemplate?: SynthOptions['editTemplate'];
  readonly entries?: SynthOptions['entries'];
  /** A running DynamoDB Local to use (the tests share one); otherwise one is started in memory. */
  readonly dynamoEndpoint?: string;
  /**
   * SecureStrings in SSM by parameter name, over the ones the rehearsal makes for every `CR_*_PARAM` the template
   * names.
   */
  readonly secrets?: Record<string, string>;
  /** Whether the SES account is still in the sandbox (only verified identities may receive). */
  readonly sesSandbox?: boolean;
  /** Addresses verified in SES (the sandbox lets only these receive); the owner's, from the template, always is. */
  readonly verifiedAddresses?: string[];
  readonly timeoutScale?: number;
  /** Where the clock starts. */
  readonly startAt: Date;
  readonly log?: (line: string) => void;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Google Doc and Sheet IDs the rehearsal deploys with. */
export const REHEARSAL_DOCS = {
  rules: '1RehearsalRulesDoc0000000000000000000000000',
  voice: '1RehearsalVoiceDoc0000000000000000000000000',
  exportSheet: '1RehearsalExportSheet00000000000000000000000',
} as const;

/** The deploy configuration the rehearsal synthesizes with (every optional lane on). */
export const REHEARSAL_CONTEXT = {
  rulesDocId: REHEARSAL_DOCS.rules,
  voiceDocId: REHEARSAL_DOCS.voice,
  exportSheetId: REHEARSAL_DOCS.exportSheet,
  shopifySecretParam: '/cart-recovery/shopify-secret',
  senderDomain: 'linenandlarch.example',
  fromAddress: 'reminders@linenandlarch.example',
  ownerEmail: 'owner@linenandlarch-mail.example',
} as const;

/** Which secret each `CR_*_PARAM` variable names, for the ones the scenarios sign with. */
const SECRET_KINDS: Record<string, string> = {
  CR_WEBHOOK_SECRET_PARAM: 'webhook',
  CR_SHOPIFY_SECRET_PARAM: 'shopify',
  CR_UNSUBSCRIBE_KEY_PARAM: 'unsubscribe',
  CR_GOOGLE_KEY_PARAM: 'google',
};

/**
 * Lambda's Node 22: the `node-linux-<arch>` package pinned in optionalDependencies (npm installs the one for this
 * machine; the registry has no such build for macOS or Windows, where this names what is missing).
 */
export function lambdaNode(): { path: string; version: string } {
  const pkg = join(ROOT, 'node_modules', `node-linux-${process.arch}`);
  if (!existsSync(join(pkg, 'bin', 'node'))) {
    throw new Error(
      `the rehearsal runs the bundles on Lambda's Node 22 from the node-linux-${process.arch} package, which ` +
        `npm installs on Linux x64 and arm64 only (this is ${process.platform} ${process.arch})`,
    );
  }
  return {
    path: join(pkg, 'bin', 'node'),
    version: (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version,
  };
}

/** The version of the AWS SDK the runtime provides (the project's installed clients; Lambda's own may differ). */
export function runtimeSdkVersion(): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', '@aws-sdk', 'client-dynamodb', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

/**
 * The AWS SDK for bundles that leave `@aws-sdk/*` external, where Lambda has it (/var/runtime/node_modules): a
 * folder on NODE_PATH holding `@aws-sdk` only, so a bundle that needs any other package must carry it.
 */
function runtimeNodePath(outdir: string): string {
  const nodePath = join(outdir, 'var-runtime', 'node_modules');
  mkdirSync(nodePath, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', '@aws-sdk'), join(nodePath, '@aws-sdk'), 'dir');
  return nodePath;
}

export class Rehearsal {
  readonly emails: SentEmail[] = [];
  readonly logs = new Map<string, string[]>();
  readonly schedules = new Map<string, PendingSchedule>();
  readonly queues = new Map<string, Array<{ id: string; receipt: string; body: string; attributes: Json }>>();
  readonly failures: string[] = [];
  readonly asyncResults: Array<{ fn: string; result: InvocationResult; attempts: number }> = [];
  private offsetMs: number;
  private readonly servers: Server[] = [];
  private pendingAsync = 0;
  private readonly idle: Array<() => void> = [];
  private readonly streamPositions = new Map<string, string>();
  private readonly finishedShards = new Set<string>();
  private sandbox: boolean;

  private constructor(
    readonly template: RehearsalTemplate,
    readonly lambda: LambdaService,
    readonly iam: PolicyChecker,
    readonly endpoints: Record<string, string>,
    readonly dynamo: {
      client: DynamoDBClient;
      streams: DynamoDBStreamsClient;
      engine?: DynamoDbLocal;
      endpoint: string;
    },
    readonly google: GoogleStandIn,
    private readonly options: RehearsalOptions,
  ) {
    this.offsetMs = options.startAt.getTime() - Date.now();
    this.sandbox = options.sesSandbox ?? false;
  }

  /** The rehearsal's time, which every function sees. */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock forward to `at` (never back). */
  advanceTo(at: Date): void {
    const wanted = at.getTime() - Date.now();
    if (wanted > this.offsetMs) this.offsetMs = wanted;
  }

  setSandbox(on: boolean): void {
    this.sandbox = on;
  }

  functionNamed(suffix: string): FunctionSpec {
    const fn = this.template.functions.find((f) => f.name === suffix || f.name.endsWith(`-${suffix}`));
    if (!fn) throw new Error(`the template has no function named like ${suffix}`);
    return fn;
  }

  static async start(options: RehearsalOptions): Promise<Rehearsal> {
    const prefix = options.prefix ?? `r${randomUUID().slice(0, 6)}-`;
    const log = options.log ?? (() => undefined);
    // Servers first: the template's Function URLs and queue URLs are their addresses.
    const handlers = new Map<string, (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void>>();
    const servers: Server[] = [];
    const listen = async (name: string): Promise<string> => {
      // Bedrock Runtime's client speaks HTTP/2 only (h2c on a plain loopback URL), like the service.
      const make = name === 'bedrock-runtime' ? (createHttp2Server as unknown as typeof createServer) : createServer;
      const server = make((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const handler = handlers.get(name);
          if (!handler) return void res.writeHead(503).end();
          handler(req, Buffer.concat(chunks), res).catch((error: unknown) => {
            log(`stand-in ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
            if (!res.headersSent)
              res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"stand-in failure"}');
          });
        });
      });
      servers.push(server);
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const endpoints: Record<string, string> = {};
    for (const service of ['dynamodb', 'sesv2', 'scheduler', 'lambda', 'sqs', 'ssm', 'bedrock-runtime', 'monitoring'])
      endpoints[service] = await listen(service);

    const { outdir, template: raw } = synthesize({
      context: options.context,
      ...(options.entries ? { entries: options.entries } : {}),
    });
    options.editTemplate?.(raw);
    const fnUrl = (name: string) => `${endpoints[`url:${name}`]}/`;
    // One server per Function URL, made for every function the template gives a URL.
    for (const [, r] of Object.entries(raw.Resources as Record<string, Json>)) {
      if (r.Type !== 'AWS::Lambda::Url') continue;
      const fnLogical = r.Properties.TargetFunctionArn?.['Fn::GetAtt']?.[0] as string;
      const name = (raw.Resources[fnLogical]?.Properties?.FunctionName as string) ?? fnLogical;
      endpoints[`url:${name}`] = await listen(`url:${name}`);
    }
    // Queue URLs on the SQS stand-in itself, so an SDK that sends to the queue's URL reaches it.
    const template = readTemplate(outdir, raw, {
      prefix,
      functionUrls: fnUrl,
      queueUrl: (name) => `${endpoints.sqs}/${REHEARSAL_ACCOUNT}/${name}`,
    });

    let engine: DynamoDbLocal | undefined;
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      engine = await startDynamoDbLocal({ inMemory: true });
      dynamoEndpoint = engine.endpoint;
    }
    const client = new DynamoDBClient({ endpoint: dynamoEndpoint, ...LOCAL_AWS });
    const streams = new DynamoDBStreamsClient({ endpoint: dynamoEndpoint, ...LOCAL_AWS });
    await createTables(client, template);

    const principals = new Map<
      string,
      { roleArn: string; statements: RehearsalTemplate['functions'][number]['statements'] }
    >();
    for (const fn of template.functions) principals.set(fn.name, { roleArn: fn.roleArn, statements: fn.statements });
    for (const role of template.roles.values())
      principals.set(role.arn, { roleArn: role.arn, statements: role.statements });
    const iam = new PolicyChecker(principals);

    const google = await startGoogleStandIn();
    const secrets: Record<string, string> = {};
    const secretByKind: Record<string, string> = {};
    for (const fn of template.functions) {
      for (const [key, name] of Object.entries(fn.environment)) {
        if (!/^CR_.*_PARAM$/.test(key) || secrets[name] !== undefined) continue;
        const kind = SECRET_KINDS[key] ?? key;
        const value =
          kind === 'webhook'
            ? `whsec_${Buffer.from(randomUUID()).toString('base64')}`
            : kind === 'google'
              ? google.serviceAccountKey
              : `rehearsal-${kind.toLowerCase()}-${randomUUID()}`;
        secrets[name] = value;
        secretByKind[kind] = value;
      }
    }
    Object.assign(secrets, options.secrets);
    const node = lambdaNode();
    const nodePath = runtimeNodePath(outdir);
    const keys = new Map<string, string>();
    let rehearsal: Rehearsal | undefined;
    const lambda = new LambdaService(new Map(template.functions.map((f) => [f.name, f])), {
      node: node.path,
      timeoutScale: options.timeoutScale ?? 1,
      clockOffsetMs: () => rehearsal?.offsetMs ?? 0,
      onLog: (fn, line) => rehearsal?.recordLog(fn, line),
      onStart: (fn) => rehearsal?.containerStarted(fn),
      runtimeEnv: (fn) => {
        const key = `ASIAREHEARSAL${[...fn.name]
          .reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
          .toString(36)
          .toUpperCase()}`;
        keys.set(key, fn.name);
        return {
          ...google.env,
          AWS_REGION: REHEARSAL_REGION,
          AWS_DEFAULT_REGION: REHEARSAL_REGION,
          AWS_ACCESS_KEY_ID: key,
          AWS_SECRET_ACCESS_KEY: 'rehearsal-secret',
          AWS_SESSION_TOKEN: 'rehearsal-session',
          AWS_LAMBDA_FUNCTION_NAME: fn.name,
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
          AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupArn.split(':log-group:')[1]!.replace(/:\*$/, ''),
          AWS_LAMBDA_LOG_STREAM_NAME: `rehearsal/[$LATEST]${randomUUID().replace(/-/g, '')}`,
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
          LAMBDA_TASK_ROOT: fn.assetDir,
          _HANDLER: fn.handler,
          TZ: ':UTC',
          NODE_PATH: nodePath,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb!,
          AWS_ENDPOINT_URL_SESV2: endpoints.sesv2!,
          AWS_ENDPOINT_URL_SCHEDULER: endpoints.scheduler!,
          AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda!,
          AWS_ENDPOINT_URL_SQS: endpoints.sqs!,
          AWS_ENDPOINT_URL_SSM: endpoints.ssm!,
          AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoints['bedrock-runtime']!,
        };
      },
    });
    rehearsal = new Rehearsal(
      template,
      lambda,
      iam,
      endpoints,
      { client, streams, ...(engine ? { engine } : {}), endpoint: dynamoEndpoint },
      google,
      options,
    );
    rehearsal.secrets = secrets;
    rehearsal.secretByKind = secretByKind;
    rehearsal.servers.push(...servers);
    rehearsal.keyOf = keys;
    for (const q of template.queues) rehearsal.queues.set(q.url, []);
    rehearsal.install(handlers);
    return rehearsal;
  }

  private keyOf = new Map<string, string>();
  private secrets: Record<string, string> = {};
  private secretByKind: Record<string, string> = {};

  /** A secret the rehearsal put in SSM, by kind (webhook, shopify, unsubscribe, google). */
  secret(kind: string): string {
    const value = this.secretByKind[kind];
    if (value === undefined) throw new Error(`the template names no ${kind} secret parameter`);
    return value;
  }

  /** The schedules pending in Scheduler. */
  pendingSchedules(): PendingSchedule[] {
    return [...this.schedules.values()];
  }

  private tableNamed(suffix: string): string {
    const table = this.template.tables.find((t) => t.name.endsWith(suffix));
    if (!table) throw new Error(`the template has no table ${suffix}`);
    return table.name;
  }

  /** One item of cr-sends, unmarshalled (the observer's read, not a function's: not checked against any role). */
  async sendsItem(cartId: string, sk: string): Promise<Json | undefined> {
    const { Item } = await this.dynamo.client.send(
      new GetItemCommand({ TableName: this.tableNamed('cr-sends'), Key: marshall({ cartId, sk }) }),
    );
    return Item ? unmarshall(Item) : undefined;
  }

  async cartItem(cartId: string): Promise<Json | undefined> {
    const { Item } = await this.dynamo.client.send(
      new GetItemCommand({ TableName: this.tableNamed('cr-carts'), Key: marshall({ cartId }) }),
    );
    return Item ? unmarshall(Item) : undefined;
  }

  /** A cart's activity log, oldest first, as `action: reason`. */
  async activity(cartId: string): Promise<string[]> {
    const { Items = [] } = await this.dynamo.client.send(
      new QueryCommand({
        TableName: this.tableNamed('cr-sends'),
        KeyConditionExpression: 'cartId = :c',
        ExpressionAttributeValues: marshall({ ':c': cartId }),
      }),
    );
    return Items.map((i) => unmarshall(i)).map((i) => `${i.sk}${i.reason ? `: ${i.reason}` : ''}`);
  }

  /** The scopes an address has opted out of. */
  async optOuts(email: string): Promise<string[]> {
    const { Items = [] } = await this.dynamo.client.send(
      new QueryCommand({
        TableName: this.tableNamed('cr-optouts'),
        KeyConditionExpression: 'email = :e',
        ExpressionAttributeValues: marshall({ ':e': email }),
      }),
    );
    return Items.map((i) => String(unmarshall(i).scope));
  }

  private recordLog(fn: FunctionSpec, line: string): void {
    const lines = this.logs.get(fn.name) ?? [];
    lines.push(line);
    this.logs.set(fn.name, lines);
    this.options.log?.(`[${fn.name}] ${line}`);
  }

  /** Lambda creates each container's log stream and writes to it with the function's role. */
  private containerStarted(fn: FunctionSpec): void {
    const stream = `${fn.logGroupArn.replace(/:\*$/, '')}:log-stream:${randomUUID().replace(/-/g, '')}`;
    this.track(1);
    void this.checkQuietly(fn.name, { action: 'logs:CreateLogStream', resource: stream })
      .then(() => this.checkQuietly(fn.name, { action: 'logs:PutLogEvents', resource: stream }))
      .finally(() => this.track(-1));
  }

  private async checkQuietly(principal: string, request: IamRequest): Promise<boolean> {
    try {
      await this.iam.check(principal, request);
      return true;
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      return false;
    }
  }

  /** Failures a scenario provoked on purpose (a forced fault), kept apart from the rehearsal's failures. */
  readonly expectedFailures: string[] = [];
  private expecting: RegExp[] = [];
  private faults: Array<{ service: string; principal: string }> = [];

  /** Records a failure of the rehearsal (a denied call, a failed invocation nobody expected). */
  fail(message: string): void {
    if (this.expecting.some((pattern) => pattern.test(message))) {
      this.expectedFailures.push(message);
      this.options.log?.(`expected failure: ${message}`);
      return;
    }
    this.failures.push(message);
    this.options.log?.(`FAIL ${message}`);
  }

  /**
   * Until {@link clearFaults}: every call `principal` makes to `service` answers 500 InternalServerError (the SDK
   * retries, then the function fails), and failures matching `expected` are the scenario's, not the rehearsal's.
   */
  forceFault(service: string, principal: string, expected: RegExp): void {
    this.faults.push({ service, principal });
    this.expecting.push(expected);
  }

  clearFaults(): void {
    this.faults = [];
    this.expecting = [];
    this.sesThrottles = 0;
  }

  private sesThrottles = 0;

  /** SES answers the next `times` sends with TooManyRequestsException (over the account's send rate), as SES does. */
  throttleSes(times: number): void {
    this.sesThrottles = times;
  }

  private faulted(service: string, caller: string, res: ServerResponse): boolean {
    if (!this.faults.some((f) => f.service === service && f.principal === caller)) return false;
    json(res, 500, { message: 'We encountered an internal error. Please try again.' }, 'InternalServerError');
    return true;
  }

  /** The environment an operator's command needs to reach this rehearsal's AWS and Google (credentials of an admin). */
  operatorEnv(): Record<string, string> {
    return {
      ...this.google.env,
      AWS_REGION: REHEARSAL_REGION,
      AWS_ACCESS_KEY_ID: OPERATOR_KEY,
      AWS_SECRET_ACCESS_KEY: 'rehearsal-operator',
      AWS_ENDPOINT_URL_DYNAMODB: this.endpoints.dynamodb!,
      AWS_ENDPOINT_URL_SESV2: this.endpoints.sesv2!,
      AWS_ENDPOINT_URL_SCHEDULER: this.endpoints.scheduler!,
      AWS_ENDPOINT_URL_LAMBDA: this.endpoints.lambda!,
      AWS_ENDPOINT_URL_SQS: this.endpoints.sqs!,
      AWS_ENDPOINT_URL_SSM: this.endpoints.ssm!,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: this.endpoints['bedrock-runtime']!,
      // Only the operator reads CloudWatch (the doctor: the sender's measured duration); no function role may.
      AWS_ENDPOINT_URL_CLOUDWATCH: this.endpoints.monitoring!,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  /** Which function signed a request (by its access key), or the operator. */
  private caller(req: IncomingMessage): string {
    const auth = String(req.headers.authorization ?? '');
    const key = /Credential=([^/]+)\//.exec(auth)?.[1] ?? '';
    if (key === OPERATOR_KEY) return 'operator';
    const fn = this.keyOf.get(key);
    if (!fn) throw new Error(`a request signed with an unknown key (${key || 'none'})`);
    return fn;
  }

  /** Checks a function's call; answers AccessDenied like AWS when it is not allowed. Returns false then. */
  private async authorize(
    caller: string,
    res: ServerResponse,
    requests: IamRequest[],
    style: 'json' | 'rest',
  ): Promise<boolean> {
    if (caller === 'operator') return true;
    for (const request of requests) {
      try {
        await this.iam.check(caller, request);
      } catch (error) {
        if (!(error instanceof AccessDenied)) throw error;
        this.fail(error.message);
        const body = JSON.stringify({
          __type: 'AccessDeniedException',
          message: `User: ${caller} is not authorized to perform: ${request.action} on resource: ${request.resource}`,
          Message: 'AccessDenied',
        });
        res
          .writeHead(style === 'json' ? 400 : 403, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-errortype': 'AccessDeniedException',
          })
          .end(body);
        return false;
      }
    }
    return true;
  }

  private install(
    handlers: Map<string, (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void>>,
  ): void {
    handlers.set('dynamodb', (req, body, res) => this.dynamodb(req, body, res));
    handlers.set('sesv2', (req, body, res) => this.ses(req, body, res));
    handlers.set('scheduler', (req, body, res) => this.scheduler(req, body, res));
    handlers.set('lambda', (req, body, res) => this.lambdaApi(req, body, res));
    handlers.set('sqs', (req, body, res) => this.sqs(req, body, res));
    handlers.set('ssm', (req, body, res) => this.ssm(req, body, res));
    handlers.set('bedrock-runtime', (req, body, res) => this.bedrock(req, body, res));
    handlers.set('monitoring', (req, body, res) => this.cloudwatch(req, body, res));
    for (const fn of this.template.functions)
      if (fn.url) handlers.set(`url:${fn.name}`, (req, body, res) => this.functionUrl(fn, req, body, res));
  }

  // ---- DynamoDB: the real engine, behind the function's policy ----

  private tableArn(name: string): string {
    return `arn:aws:dynamodb:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:table/${name}`;
  }

  private async dynamodb(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const caller = this.caller(req);
    if (this.faulted('dynamodb', caller, res)) return;
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const input = JSON.parse(body.toString() || '{}') as Json;
    const requests: IamRequest[] = [];
    const on = (action: string, table: string, index?: string) =>
      requests.push({
        action: `dynamodb:${action}`,
        resource: `${this.tableArn(table)}${index ? `/index/${index}` : ''}`,
      });
    if (operation === 'TransactWriteItems') {
      for (const item of input.TransactItems as Json[]) {
        const [kind, detail] = Object.entries(item)[0] as [string, Json];
        on(
          { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ??
            kind,
          detail.TableName,
        );
      }
    } else if (operation === 'TransactGetItems') {
      for (const item of input.TransactItems as Json[]) on('GetItem', item.Get.TableName);
    } else if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
      for (const table of Object.keys(input.RequestItems ?? {})) on(operation, table);
    } else if (input.TableName) {
      on(operation, input.TableName, input.IndexName);
    } else {
      requests.push({ action: `dynamodb:${operation}`, resource: '*' });
    }
    if (!(await this.authorize(caller, res, requests, 'json'))) return;
    const answer = await fetch(this.dynamo.endpoint, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries(req.headers)
          .filter(([k]) => !['host', 'content-length', 'connection'].includes(k))
          .map(([k, v]) => [k, String(v)]),
      ),
      body,
    });
    const text = Buffer.from(await answer.arrayBuffer());
    res
      .writeHead(
        answer.status,
        Object.fromEntries(
          [...answer.headers].filter(
            ([k]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k),
          ),
        ),
      )
      .end(text);
  }

  // ---- SSM Parameter Store ----

  private async ssm(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const caller = this.caller(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    const input = JSON.parse(body.toString() || '{}') as Json;
    if (operation !== 'GetParameter')
      return void json(res, 400, {
        __type: 'UnknownOperationException',
        message: `SSM ${operation} is not in the rehearsal`,
      });
    const name = String(input.Name);
    const arn = `arn:aws:ssm:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:parameter/${name.replace(/^\//, '')}`;
    if (!(await this.authorize(caller, res, [{ action: 'ssm:GetParameter', resource: arn }], 'json'))) return;
    const value = this.secrets[name];
    if (value === undefined)
      return void json(res, 400, { __type: 'ParameterNotFound', message: `Parameter ${name} not found.` });
    json(res, 200, {
      Parameter: {
        Name: name,
        Type: 'SecureString',
        Value: input.WithDecryption ? value : 'AQICAH…encrypted',
        Version: 1,
        ARN: arn,
        DataType: 'text',
        LastModifiedDate: Math.floor(Date.now() / 1000),
      },
    });
  }

  // ---- Bedrock Runtime (Converse) ----

  private async bedrock(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const caller = this.caller(req);
    const match = /^\/model\/([^/]+)\/converse$/.exec(req.url ?? '');
    if (!match) return void json(res, 404, { message: `Bedrock ${req.url} is not in the rehearsal` });
    const modelId = decodeURIComponent(match[1]!);
    const input = JSON.parse(body.toString()) as Json;
    const profile = /^(global|us|eu|apac|jp|au|ca|us-gov)\.(.+)$/.exec(modelId);
    const profileArn = `arn:aws:bedrock:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:inference-profile/${modelId}`;
    const requests: IamRequest[] = profile
      ? [
          {
            action: 'bedrock:InvokeModel',
            resource: profileArn,
          },
          {
            action: 'bedrock:InvokeModel',
            // A global profile may route to any Region; the rehearsal picks another one, as AWS may.
            resource: `arn:aws:bedrock:us-west-2::foundation-model/${profile[2]}`,
            context: {
              'bedrock:InferenceProfileArn': profileArn,
            },
          },
        ]
      : [
          {
            action: 'bedrock:InvokeModel',
            resource: `arn:aws:bedrock:${REHEARSAL_REGION}::foundation-model/${modelId}`,
          },
        ];
    if (!(await this.authorize(caller, res, requests, 'rest'))) return;
    const user = String(input.messages?.[0]?.content?.[0]?.text ?? '');
    const name = /first name[^:]*:\s*([A-Z][a-z]+)/i.exec(user)?.[1];
    const text = `${name ? `${name}, your` : 'Your'} picks are still waiting for you, whenever you are ready.`;
    json(res, 200, {
      output: { message: { role: 'assistant', content: [{ text }] } },
      stopReason: 'end_turn',
      usage: {
        inputTokens: Math.ceil(user.length / 4),
        outputTokens: Math.ceil(text.length / 4),
        totalTokens: Math.ceil((user.length + text.length) / 4),
      },
      metrics: { latencyMs: 420 },
    });
  }

  // ---- SES v2 ----

  private async ses(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const caller = this.caller(req);
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/v2/email/account') {
      return void json(res, 200, {
        ProductionAccessEnabled: !this.sandbox,
        SendingEnabled: true,
        EnforcementStatus: 'HEALTHY',
        DedicatedIpAutoWarmupEnabled: false,
        SendQuota: this.sandbox
          ? { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: this.emails.length }
          : { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: this.emails.length },
        ...(this.sandbox
          ? {}
          : {
              Details: {
                MailType: 'MARKETING',
                WebsiteURL: 'https://shop.example.com',
                ReviewDetails: { Status: 'GRANTED', CaseId: 'rehearsal' },
              },
            }),
      });
    }
    const identity = /^\/v2\/email\/identities\/([^/?]+)/.exec(url);
    if (req.method === 'GET' && identity) {
      return void json(res, 200, {
        IdentityType: 'DOMAIN',
        FeedbackForwardingStatus: true,
        VerifiedForSendingStatus: true,
        VerificationStatus: 'SUCCESS',
        DkimAttributes: {
          SigningEnabled: true,
          Status: 'SUCCESS',
          SigningAttributesOrigin: 'AWS_SES',
          Tokens: ['token1', 'token2', 'token3'],
        },
      });
    }
    if (req.method !== 'POST' || url !== '/v2/email/outbound-emails')
      return void json(res, 404, { message: `SES ${req.method} ${url} is not in the rehearsal` });
    const input = JSON.parse(body.toString()) as Json;
    const from = String(input.FromEmailAddress ?? '');
    const domain = (/@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? '').toLowerCase();
    const to = (input.Destination?.ToAddresses ?? []) as string[];
    const configurationSet = String(input.ConfigurationSetName ?? '');
    const identityArn = (name: string) => `arn:aws:ses:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:identity/${name}`;
    const requests: IamRequest[] = [
      { action: 'ses:SendEmail', resource: identityArn(domain) },
      ...(configurationSet
        ? [
            {
              action: 'ses:SendEmail',
              resource: `arn:aws:ses:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:configuration-set/${configurationSet}`,
            },
          ]
        : []),
    ];
    // In the sandbox SES also authorizes the send against each recipient's identity.
    const outside = to.map((a) => a.replace(/^.*<|>$/g, '').toLowerCase()).filter((a) => !a.endsWith(`@${domain}`));
    if (this.sandbox)
      for (const address of outside) requests.push({ action: 'ses:SendEmail', resource: identityArn(address) });
    if (!(await this.authorize(caller, res, requests, 'rest'))) return;
    if (this.sesThrottles > 0) {
      this.sesThrottles -= 1;
      return void json(res, 429, { message: 'Maximum sending rate exceeded.' }, 'TooManyRequestsException');
    }
    if (this.sandbox) {
      const verified = [
        ...(this.options.verifiedAddresses ?? []),
        ...this.template.functions.map((f) => f.environment.CR_OWNER_EMAIL?.toLowerCase()),
      ];
      const unverified = outside.filter((a) => !verified.includes(a));
      if (unverified.length > 0) {
        return void json(
          res,
          400,
          {
            message:
              'Email address is not verified. The following identities failed the check in region US-EAST-1: ' +
              `${unverified.join(', ')}`,
          },
          'MessageRejected',
        );
      }
    }
    const simple = input.Content?.Simple ?? {};
    const messageId = `0100019${randomUUID().replace(/-/g, '').slice(0, 20)}-${randomUUID()}-000000`;
    const email: SentEmail = {
      messageId,
      by: caller,
      from,
      to,
      subject: simple.Subject?.Data ?? '',
      text: simple.Body?.Text?.Data ?? '',
      html: simple.Body?.Html?.Data ?? '',
      headers: simple.Headers ?? [],
      tags: input.EmailTags ?? [],
      at: this.now().toISOString(),
    };
    this.emails.push(email);
    json(res, 200, { MessageId: messageId });
    // SES publishes the configuration set's events to EventBridge (asynchronously, after answering).
    if (configurationSet) {
      this.track(1); // counted from now, so a settle() that begins before the events go out still waits for them
      setImmediate(() => void this.publishSesEvents(email, configurationSet).finally(() => this.track(-1)));
    }
  }

  /**
   * What SES publishes for one accepted message: SEND, then DELIVERY, or a BOUNCE / COMPLAINT for the simulator's
   * addresses.
   */
  private async publishSesEvents(email: SentEmail, configurationSet: string): Promise<void> {
    const recipients = email.to.map((a) => a.replace(/^.*<|>$/g, ''));
    const mail = sesMail(email, configurationSet);
    await this.putEvent('Email Sent', { eventType: 'Send', mail, send: {} });
    const at = this.now().toISOString();
    if (recipients.some((r) => r.startsWith('bounce@simulator.amazonses.com'))) {
      await this.putEvent('Email Bounced', {
        eventType: 'Bounce',
        bounce: {
          feedbackId: `${randomUUID()}-000000`,
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: recipients.map((emailAddress) => ({
            emailAddress,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          })),
          timestamp: at,
          reportingMTA: 'dns; b232-5.smtp-out.amazonses.com',
        },
        mail,
      });
    } else if (recipients.some((r) => r.startsWith('complaint@simulator.amazonses.com'))) {
      await this.putEvent('Email Complaint Received', {
        eventType: 'Complaint',
        complaint: {
          feedbackId: `${randomUUID()}-000000`,
          complaintSubType: null,
          complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
          timestamp: at,
          userAgent: 'Amazon SES Mailbox Simulator',
          complaintFeedbackType: 'abuse',
          arrivalDate: at,
        },
        mail,
      });
    } else {
      await this.putEvent('Email Delivered', {
        eventType: 'Delivery',
        mail,
        delivery: {
          timestamp: at,
          processingTimeMillis: 546,
          recipients,
          smtpResponse: '250 ok',
          reportingMTA: 'a8-70.smtp-out.amazonses.com',
        },
      });
    }
  }

  /** One event on the default bus: every rule whose pattern matches sends it to its targets (async invokes). */
  async putEvent(detailType: string, detail: Json): Promise<void> {
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: 'aws.ses',
      account: REHEARSAL_ACCOUNT,
      time: this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: REHEARSAL_REGION,
      resources: [],
      detail,
    };
    for (const rule of this.template.rules) {
      if (!matchesAnyFilter([rule.pattern], event)) continue;
      for (const target of rule.targets) {
        const fn = this.lambda.resolve(target.arn);
        if (!fn) this.fail(`an EventBridge rule targets ${target.arn}, which the template does not define`);
        else this.invokeAsync(fn, event);
      }
    }
  }

  // ---- EventBridge Scheduler ----

  private async scheduler(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const caller = this.caller(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const name = decodeURIComponent(/^\/schedules\/([^/]+)$/.exec(url.pathname)?.[1] ?? '');
    if (!name) return void json(res, 404, { Message: `Scheduler ${url.pathname} is not in the rehearsal` });
    const input = req.method === 'DELETE' ? {} : (JSON.parse(body.toString() || '{}') as Json);
    const group = String(input.GroupName ?? url.searchParams.get('groupName') ?? 'default');
    const arn = `arn:aws:scheduler:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:schedule/${group}/${name}`;
    const key = `${group}/${name}`;
    if (req.method === 'POST') {
      const requests: IamRequest[] = [{ action: 'scheduler:CreateSchedule', resource: arn }];
      if (input.Target?.RoleArn)
        requests.push({
          action: 'iam:PassRole',
          resource: input.Target.RoleArn,
          context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
        });
      if (!(await this.authorize(caller, res, requests, 'rest'))) return;
      if (this.schedules.has(key))
        return void json(res, 409, { Message: `Schedule ${name} already exists.` }, 'ConflictException');
      const at = /^at\((.+)\)$/.exec(String(input.ScheduleExpression))?.[1];
      if (!at)
        return void json(
          res,
          400,
          { Message: `the rehearsal runs one-off at() schedules only, not ${input.ScheduleExpression}` },
          'ValidationException',
        );
      const zone = input.ScheduleExpressionTimezone ?? 'UTC';
      if (zone !== 'UTC')
        return void json(
          res,
          400,
          { Message: `the rehearsal reads at() in UTC only, not ${zone}` },
          'ValidationException',
        );
      this.schedules.set(key, { group, name, at: Date.parse(`${at}Z`), target: input.Target });
      return void json(res, 200, { ScheduleArn: arn });
    }
    if (req.method === 'DELETE') {
      if (!(await this.authorize(caller, res, [{ action: 'scheduler:DeleteSchedule', resource: arn }], 'rest'))) return;
      if (!this.schedules.delete(key))
        return void json(res, 404, { Message: `Schedule ${name} does not exist.` }, 'ResourceNotFoundException');
      return void json(res, 200, {});
    }
    json(res, 405, { Message: `Scheduler ${req.method} is not in the rehearsal` });
  }

  /** Fires every one-off schedule due by `until`, in time order, moving the clock to each; returns how many fired. */
  async runSchedulesUntil(until: Date): Promise<number> {
    let fired = 0;
    const failuresBefore = this.failures.length;
    for (;;) {
      await this.settle();
      // The rehearsal has failed: playing on would only pile consequences onto the first failure.
      if (this.failures.length > failuresBefore) return fired;
      const next = [...this.schedules.values()].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > until.getTime()) break;
      this.schedules.delete(`${next.group}/${next.name}`);
      this.advanceTo(new Date(next.at));
      await this.deliverScheduled(next.target, next.name);
      fired += 1;
    }
    this.advanceTo(until);
    await this.settle();
    return fired;
  }

  /** Scheduler hands a target its Input with the schedule's role: that role must allow invoking it. */
  private async deliverScheduled(target: Json, scheduleName: string): Promise<void> {
    const fn = this.lambda.resolve(String(target.Arn));
    if (!fn) return this.fail(`schedule ${scheduleName} targets ${target.Arn}, which the template does not define`);
    if (
      !(await this.checkQuietly(String(target.RoleArn), {
        action: 'lambda:InvokeFunction',
        resource: String(target.Arn),
      }))
    )
      return;
    this.invokeAsync(fn, JSON.parse(String(target.Input ?? '{}')));
  }

  /**
   * One tick of a recurring schedule from the template (by name), at the clock's time, with its Input as Scheduler
   * fills it.
   */
  async tick(scheduleName: string, at: Date = this.now()): Promise<void> {
    const schedule = this.template.schedules.find((s) => s.name === scheduleName);
    if (!schedule) throw new Error(`the template has no schedule ${scheduleName}`);
    this.advanceTo(at);
    const input = (schedule.input ?? '{}').replace(
      /<aws\.scheduler\.scheduled-time>/g,
      at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );
    await this.deliverScheduled({ Arn: schedule.targetArn, RoleArn: schedule.roleArn, Input: input }, scheduleName);
    await this.settle();
  }

  // ---- Lambda (async invoke, retries, on-failure destination) ----

  private async lambdaApi(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const caller = this.caller(req);
    // The doctor's reads of the account's concurrency (operator credentials): a new account's 10, no reservation.
    if (req.method === 'GET' && caller === 'operator' && req.url === '/2016-08-19/account-settings') {
      return void json(res, 200, {
        AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 },
        AccountUsage: { FunctionCount: this.template.functions.length },
      });
    }
    if (
      req.method === 'GET' &&
      caller === 'operator' &&
      /^\/2019-09-30\/functions\/[^/]+\/concurrency$/.test(req.url ?? '')
    )
      return void json(res, 200, {});
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    if (!match || req.method !== 'POST')
      return void json(res, 404, { Message: `Lambda ${req.url} is not in the rehearsal` });
    const fn = this.lambda.resolve(decodeURIComponent(match[1]!));
    const arn = fn?.arn ?? decodeURIComponent(match[1]!);
    if (!(await this.authorize(caller, res, [{ action: 'lambda:InvokeFunction', resource: arn }], 'rest'))) return;
    if (!fn) return void json(res, 404, { Message: `Function not found: ${arn}` }, 'ResourceNotFoundException');
    const event = JSON.parse(body.toString() || '{}') as unknown;
    if (req.headers['x-amz-invocation-type'] === 'Event') {
      this.invokeAsync(fn, event);
      return void res.writeHead(202, { 'x-amzn-requestid': randomUUID() }).end();
    }
    const result = await this.lambda.invoke(fn, event);
    res
      .writeHead(200, {
        'content-type': 'application/json',
        ...(result.ok ? {} : { 'x-amz-function-error': 'Unhandled' }),
      })
      .end(JSON.stringify(result.ok ? result.value : result.error));
  }

  /** CloudWatch (AWS JSON 1.0), for the operator's doctor: no metrics in the rehearsal, so no datapoints. */
  private async cloudwatch(req: IncomingMessage, _body: Buffer, res: ServerResponse): Promise<void> {
    const caller = this.caller(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (caller !== 'operator' || !target.endsWith('.GetMetricStatistics'))
      return void json(res, 400, { message: `CloudWatch ${target} is not in the rehearsal` }, 'InvalidAction');
    res
      .writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() })
      .end(JSON.stringify({ Label: 'Duration', Datapoints: [] }));
  }

  private track(delta: number): void {
    this.pendingAsync += delta;
    if (this.pendingAsync === 0) for (const wake of this.idle.splice(0)) wake();
  }

  /** An asynchronous invoke: Lambda's retries (the EventInvokeConfig's, else 2), then the on-failure destination. */
  invokeAsync(fn: FunctionSpec, event: unknown): void {
    this.track(1);
    void (async () => {
      const attempts = 1 + (fn.asyncConfig?.retryAttempts ?? 2);
      let result: InvocationResult | undefined;
      let attempt = 0;
      for (attempt = 1; attempt <= attempts; attempt += 1) {
        try {
          result = await this.lambda.invoke(fn, event);
        } catch (error) {
          result = {
            ok: false,
            cold: true,
            error: {
              errorType: error instanceof InitError ? 'Runtime.InitError' : 'Error',
              errorMessage: error instanceof Error ? error.message : String(error),
            },
          };
        }
        if (result.ok) break;
      }
      this.asyncResults.push({ fn: fn.name, result: result!, attempts: Math.min(attempt, attempts) });
      if (!result!.ok) {
        this.fail(
          `${fn.name} failed on an asynchronous invoke after ${attempts} attempts: ` +
            `${result!.error?.errorType}: ${result!.error?.errorMessage}`,
        );
        const destination = fn.asyncConfig?.onFailureArn;
        if (destination) {
          await this.sendToQueue(fn.name, destination, {
            version: '1.0',
            timestamp: this.now().toISOString(),
            requestContext: {
              requestId: randomUUID(),
              functionArn: `${fn.arn}:$LATEST`,
              condition: 'RetriesExhausted',
              approximateInvokeCount: attempts,
            },
            requestPayload: event,
            responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
            responsePayload: result!.error,
          });
        }
      }
    })().finally(() => this.track(-1));
  }

  // ---- SQS ----

  /** Lambda (or the stream mapping) sends a record to a queue with the function's role. */
  private async sendToQueue(principal: string, queueArn: string, body: unknown): Promise<void> {
    if (!(await this.checkQuietly(principal, { action: 'sqs:SendMessage', resource: queueArn }))) return;
    const queue = this.template.queues.find((q) => q.arn === queueArn);
    if (!queue) return this.fail(`${principal} sends to ${queueArn}, which the template does not define`);
    const id = randomUUID();
    this.queues.get(queue.url)!.push({
      id,
      receipt: randomUUID(),
      body: JSON.stringify(body),
      attributes: { SentTimestamp: String(this.now().getTime()), ApproximateReceiveCount: '0' },
    });
  }

  private async sqs(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    this.caller(req); // only the operator reads the queue; the functions reach it through Lambda's destinations
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    const input = JSON.parse(body.toString() || '{}') as Json;
    const messages = this.queues.get(String(input.QueueUrl));
    if (operation === 'ListQueues') {
      return void json(res, 200, {
        QueueUrls: this.template.queues
          .filter((q) => q.name.includes(String(input.QueueNamePrefix ?? '')))
          .map((q) => q.url),
      });
    }
    if (operation === 'GetQueueUrl') {
      const queue = this.template.queues.find((q) => q.name === input.QueueName);
      return void (queue
        ? json(res, 200, { QueueUrl: queue.url })
        : json(res, 400, {
            __type: 'com.amazonaws.sqs#QueueDoesNotExist',
            message: 'The specified queue does not exist.',
          }));
    }
    if (!messages)
      return void json(res, 400, {
        __type: 'com.amazonaws.sqs#QueueDoesNotExist',
        message: 'The specified queue does not exist.',
      });
    if (operation === 'ReceiveMessage') {
      const max = Number(input.MaxNumberOfMessages ?? 1);
      const batch = messages.slice(0, max).map((m) => {
        m.attributes.ApproximateReceiveCount = String(Number(m.attributes.ApproximateReceiveCount) + 1);
        m.receipt = randomUUID();
        return {
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          Body: m.body,
          Attributes: m.attributes,
          MD5OfBody: md5(m.body),
        };
      });
      return void json(res, 200, batch.length > 0 ? { Messages: batch } : {});
    }
    if (operation === 'DeleteMessage') {
      const index = messages.findIndex((m) => m.receipt === input.ReceiptHandle);
      if (index >= 0) messages.splice(index, 1);
      return void json(res, 200, {});
    }
    if (operation === 'GetQueueAttributes') {
      return void json(res, 200, {
        Attributes: {
          ApproximateNumberOfMessages: String(messages.length),
          ApproximateNumberOfMessagesNotVisible: '0',
        },
      });
    }
    json(res, 400, {
      __type: 'com.amazonaws.sqs#UnsupportedOperation',
      message: `SQS ${operation} is not in the rehearsal`,
    });
  }

  // ---- Function URLs (payload format 2.0, from real HTTP requests) ----

  private async functionUrl(fn: FunctionSpec, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const text = /^(text\/|application\/(json|x-www-form-urlencoded|xml))/.test(headers['content-type'] ?? '');
    const cookies = headers.cookie?.split(/;\s*/);
    delete headers.cookie;
    const now = this.now();
    const requestId = randomUUID();
    const host = new URL(fn.url!).host;
    const epochHex = Math.floor(now.getTime() / 1000).toString(16);
    const traceId = `Root=1-${epochHex}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      ...(cookies ? { cookies } : {}),
      headers: {
        ...headers,
        host,
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.7',
        'x-amzn-trace-id': traceId,
      },
      ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
      requestContext: {
        accountId: 'anonymous',
        apiId: host.split('.')[0],
        domainName: host,
        domainPrefix: host.split('.')[0],
        http: {
          method: req.method ?? 'GET',
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '203.0.113.7',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: '$default',
        stage: '$default',
        time: now.toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000'),
        timeEpoch: now.getTime(),
      },
      ...(body.length > 0
        ? { body: text ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !text }
        : { isBase64Encoded: false }),
    };
    let result: InvocationResult;
    try {
      result = await this.lambda.invoke(fn, event);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      return void res.writeHead(502, { 'content-type': 'application/json' }).end('{"Message":"Internal Server Error"}');
    }
    if (!result.ok) {
      this.fail(
        `${fn.name} failed on a Function URL request: ${result.error?.errorType}: ${result.error?.errorMessage}`,
      );
      return void res.writeHead(502, { 'content-type': 'application/json' }).end('{"Message":"Internal Server Error"}');
    }
    const value = result.value as Json | string | null;
    // Function URLs read a result without statusCode as a 200 JSON body.
    if (value === null || typeof value !== 'object' || !('statusCode' in value)) {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    }
    const out = value.isBase64Encoded
      ? Buffer.from(String(value.body ?? ''), 'base64')
      : Buffer.from(String(value.body ?? ''));
    res
      .writeHead(Number(value.statusCode), {
        ...(value.headers ?? {}),
        ...(value.cookies ? { 'set-cookie': value.cookies } : {}),
      })
      .end(out);
  }

  // ---- The cr-carts stream and its mapping ----

  /** Reads every new record of each mapped stream, filters and batches them as the mapping says, and invokes. */
  async pollStreams(): Promise<number> {
    let delivered = 0;
    for (const mapping of this.template.streamMappings) {
      const fn = this.lambda.resolve(mapping.functionName);
      if (!fn) {
        this.fail(`a stream mapping targets ${mapping.functionName}, which the template does not define`);
        continue;
      }
      const table = this.template.tables.find((t) => t.streamArn === mapping.streamArn);
      if (!table) {
        this.fail(`the mapping of ${fn.name} reads ${mapping.streamArn}, a stream no table of the template has`);
        continue;
      }
      // Lambda's poller reads the stream with the function's role.
      for (const action of ['DescribeStream', 'GetShardIterator', 'GetRecords']) {
        if (!(await this.checkQuietly(fn.name, { action: `dynamodb:${action}`, resource: mapping.streamArn })))
          return delivered;
      }
      const records = await this.readNewRecords(table.name);
      const wanted = records.filter((r) => mapping.filters.length === 0 || matchesAnyFilter(mapping.filters, r));
      for (let i = 0; i < wanted.length; i += mapping.batchSize) {
        const batch = wanted.slice(i, i + mapping.batchSize).map((r) => ({ ...r, eventSourceARN: mapping.streamArn }));
        delivered += batch.length;
        let pending = batch;
        let attempts = 0;
        for (;;) {
          attempts += 1;
          let result: InvocationResult;
          try {
            result = await this.lambda.invoke(fn, { Records: pending });
          } catch (error) {
            result = {
              ok: false,
              cold: true,
              error: {
                errorType: 'Runtime.InitError',
                errorMessage: error instanceof Error ? error.message : String(error),
              },
            };
          }
          const failed = result.ok
            ? (((result.value as Json | null)?.batchItemFailures ?? []) as Array<{ itemIdentifier: string }>)
            : [{ itemIdentifier: pending[0]!.dynamodb.SequenceNumber }];
          if (result.ok && failed.length === 0) break;
          const from = pending.findIndex((r) => r.dynamodb.SequenceNumber === failed[0]!.itemIdentifier);
          pending = pending.slice(Math.max(0, from));
          if (attempts > mapping.retryAttempts) {
            this.fail(
              `${fn.name} failed on a stream batch after ${attempts} attempts: ` +
                `${result.error?.errorMessage ?? 'reported batch item failures'}`,
            );
            if (mapping.onFailureArn) {
              await this.sendToQueue(fn.name, mapping.onFailureArn, {
                requestContext: {
                  requestId: randomUUID(),
                  functionArn: fn.arn,
                  condition: 'RetryAttemptsExhausted',
                  approximateInvokeCount: attempts,
                },
                responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
                version: '1.0',
                timestamp: this.now().toISOString(),
                DDBStreamBatchInfo: {
                  shardId: 'shardId-rehearsal',
                  startSequenceNumber: pending[0]!.dynamodb.SequenceNumber,
                  endSequenceNumber: pending[pending.length - 1]!.dynamodb.SequenceNumber,
                  approximateArrivalOfFirstRecord: this.now().toISOString(),
                  approximateArrivalOfLastRecord: this.now().toISOString(),
                  batchSize: pending.length,
                  streamArn: mapping.streamArn,
                },
              });
            }
            break;
          }
        }
      }
    }
    return delivered;
  }

  private async readNewRecords(tableName: string): Promise<Array<Json & { dynamodb: Json }>> {
    const { Table } = await this.dynamo.client.send(new DescribeTableCommand({ TableName: tableName }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`${tableName} has no stream in DynamoDB Local`);
    const { StreamDescription } = await this.dynamo.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const out: Array<Json & { dynamodb: Json }> = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const id = shard.ShardId!;
      if (this.finishedShards.has(id)) continue;
      const after = this.streamPositions.get(id);
      let { ShardIterator: iterator } = await this.dynamo.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: id,
          ...(after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      while (iterator) {
        const page = await this.dynamo.streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        for (const record of page.Records ?? []) {
          const d = record.dynamodb!;
          out.push({
            eventID: record.eventID,
            eventName: record.eventName,
            eventVersion: record.eventVersion ?? '1.1',
            eventSource: 'aws:dynamodb',
            awsRegion: REHEARSAL_REGION,
            dynamodb: {
              ApproximateCreationDateTime: Math.floor((d.ApproximateCreationDateTime?.getTime() ?? Date.now()) / 1000),
              Keys: d.Keys,
              ...(d.NewImage ? { NewImage: d.NewImage } : {}),
              ...(d.OldImage ? { OldImage: d.OldImage } : {}),
              SequenceNumber: d.SequenceNumber,
              SizeBytes: d.SizeBytes,
              StreamViewType: d.StreamViewType,
            },
          });
          this.streamPositions.set(id, d.SequenceNumber!);
        }
        if ((page.Records ?? []).length === 0) break;
        iterator = page.NextShardIterator;
      }
      if (shard.SequenceNumberRange?.EndingSequenceNumber && !iterator) this.finishedShards.add(id);
    }
    return out;
  }

  /** Waits until nothing is running: async invokes and their retries, SES events, stream batches. */
  async settle(): Promise<void> {
    for (;;) {
      if (this.pendingAsync > 0) await new Promise<void>((done) => this.idle.push(done));
      await this.lambda.settled();
      const delivered = await this.pollStreams();
      if (delivered === 0 && this.pendingAsync === 0) return;
    }
  }

  async stop(): Promise<void> {
    await this.lambda.stop();
    for (const server of this.servers) {
      server.closeAllConnections?.();
      await new Promise<void>((done) => server.close(() => done()));
    }
    await this.google.stop();
    this.dynamo.client.destroy();
    this.dynamo.streams.destroy();
    await this.dynamo.engine?.stop();
    rmSync(this.template.outdir, { recursive: true, force: true });
  }
}

function json(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(errorType && typeof body === 'object' && body ? { __type: errorType, ...body } : body));
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** SES's `mail` object of an event for a message it accepted. */
function sesMail(email: SentEmail, configurationSet: string): Json {
  const tags: Record<string, string[]> = {
    'ses:configuration-set': [configurationSet],
    'ses:source-ip': ['203.0.113.20'],
    'ses:caller-identity': [email.by],
  };
  for (const tag of email.tags) tags[tag.Name] = [tag.Value];
  return {
    timestamp: email.at,
    source: email.from,
    sourceArn: `arn:aws:ses:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:identity/${email.from.replace(/^.*@|>$/g, '')}`,
    sendingAccountId: REHEARSAL_ACCOUNT,
    messageId: email.messageId,
    destination: email.to,
    headersTruncated: false,
    headers: [
      { name: 'From', value: email.from },
      { name: 'To', value: email.to.join(', ') },
      { name: 'Subject', value: email.subject },
      ...email.headers.map((h) => ({ name: h.Name, value: h.Value })),
    ],
    commonHeaders: { from: [email.from], to: email.to, messageId: email.messageId, subject: email.subject },
    tags,
  };
}

/**
 * Creates each table of the template in DynamoDB Local, from the template's own definition (keys, GSIs, stream, TTL).
 */
async function createTables(client: DynamoDBClient, template: RehearsalTemplate): Promise<void> {
  for (const table of template.tables) {
    const p = table.properties;
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        ...(p.GlobalSecondaryIndexes
          ? {
              GlobalSecondaryIndexes: (p.GlobalSecondaryIndexes as Json[]).map((g) => ({
                IndexName: g.IndexName,
                KeySchema: g.KeySchema,
                Projection: g.Projection,
              })),
            }
          : {}),
        ...(p.StreamSpecification
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType } }
          : {}),
      }),
    );
    if (p.TimeToLiveSpecification?.Enabled) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: table.name,
          TimeToLiveSpecification: { AttributeName: p.TimeToLiveSpecification.AttributeName, Enabled: true },
        }),
      );
    }
  }
}
