/**
 * Lambda, as the rehearsal runs it: each function from its bundle in containers of its own (one child process each,
 * on Lambda's Node major), cold when no idle container is left, warm otherwise; the function's timeout enforced by
 * ending the process; asynchronous invokes retried as the template's EventInvokeConfig says and then sent to its
 * on-failure destination.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from './template';

/** What one invocation ended with. */
export interface InvocationResult {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { errorType: string; errorMessage: string; trace?: string[] };
  readonly cold: boolean;
}

/** A function whose container could not start: the bundle did not load, or its configuration was refused at init. */
export class InitError extends Error {
  override readonly name = 'InitError';
}

export interface ContainerOptions {
  /** Path of Lambda's Node binary. */
  readonly node: string;
  /** The environment Lambda adds to every function's (credentials, endpoints, NODE_PATH...). */
  readonly runtimeEnv: (fn: FunctionSpec) => Record<string, string>;
  /** The rehearsal's clock offset, read at each invocation. */
  readonly clockOffsetMs: () => number;
  /** Called when a container starts (Lambda then creates its log stream and writes START/END/REPORT lines). */
  readonly onStart: (fn: FunctionSpec) => void;
  /** Every line a container writes, for the function's log. */
  readonly onLog: (fn: FunctionSpec, line: string) => void;
  /** Multiplies every timeout (1 = the template's; the tests use more, so a busy machine is not a timeout). */
  readonly timeoutScale: number;
}

interface Container {
  readonly child: ChildProcess;
  busy: boolean;
  readonly ready: Promise<void>;
}

const BOOTSTRAP = fileURLToPath(new URL('./runtime/bootstrap.cjs', import.meta.url));

/** Counters per function for the report. */
export interface FunctionStats {
  invocations: number;
  coldStarts: number;
  initMs: number[];
  errors: number;
  timeouts: number;
  nodeVersion?: string;
}

export class LambdaService {
  private readonly containers = new Map<string, Container[]>();
  readonly stats = new Map<string, FunctionStats>();
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly functions: ReadonlyMap<string, FunctionSpec>,
    private readonly options: ContainerOptions,
  ) {
    for (const name of functions.keys())
      this.stats.set(name, { invocations: 0, coldStarts: 0, initMs: [], errors: 0, timeouts: 0 });
  }

  /** The function a name or ARN (qualified or not) names. */
  resolve(nameOrArn: string): FunctionSpec | undefined {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.split(':')[6] : nameOrArn;
    return name === undefined ? undefined : this.functions.get(name);
  }

  /** A synchronous invocation (Function URLs, the stream mapping): one attempt. */
  invoke(fn: FunctionSpec, event: unknown): Promise<InvocationResult> {
    const run = this.run(fn, event);
    this.inflight.add(run);
    run.finally(() => this.inflight.delete(run)).catch(() => undefined);
    return run;
  }

  /** Resolves once no invocation is running. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async run(fn: FunctionSpec, event: unknown): Promise<InvocationResult> {
    const stats = this.stats.get(fn.name)!;
    stats.invocations += 1;
    const pool = this.containers.get(fn.name) ?? [];
    this.containers.set(fn.name, pool);
    let container = pool.find((c) => !c.busy);
    const cold = container === undefined;
    if (!container) {
      container = this.start(fn, stats);
      pool.push(container);
      stats.coldStarts += 1;
    }
    container.busy = true;
    try {
      await container.ready;
    } catch (error) {
      pool.splice(pool.indexOf(container), 1);
      stats.errors += 1;
      throw error;
    }
    const requestId = randomUUID();
    const timeoutMs = fn.timeoutSeconds * 1000 * this.options.timeoutScale;
    const child = container.child;
    const outcome = await new Promise<InvocationResult>((done) => {
      const onMessage = (message: {
        type: string;
        id?: string;
        ok?: boolean;
        value?: unknown;
        error?: InvocationResult['error'];
      }) => {
        if (message.type !== 'result' || message.id !== requestId) return;
        cleanup();
        done({ ok: message.ok === true, ...(message.ok ? { value: message.value } : { error: message.error! }), cold });
      };
      const onExit = (code: number | null) => {
        cleanup();
        done({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}`,
          },
          cold,
        });
      };
      const timer = setTimeout(() => {
        cleanup();
        stats.timeouts += 1;
        child.kill('SIGKILL');
        done({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          },
          cold,
        });
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({
        type: 'invoke',
        id: requestId,
        requestId,
        event,
        timeoutMs,
        clockOffsetMs: this.options.clockOffsetMs(),
        invokedFunctionArn: fn.arn,
      });
    });
    container.busy = false;
    if (!outcome.ok) {
      stats.errors += 1;
      // Lambda throws a container away after a timeout or a crash; a handled error keeps it warm.
      if (child.exitCode !== null || child.signalCode !== null || outcome.error?.errorType === 'Sandbox.Timedout') {
        pool.splice(pool.indexOf(container), 1);
        child.kill('SIGKILL');
      }
    }
    return outcome;
  }

  private start(fn: FunctionSpec, stats: FunctionStats): Container {
    this.options.onStart(fn);
    const child = fork(BOOTSTRAP, [], {
      cwd: fn.assetDir,
      execPath: this.options.node,
      execArgv: [],
      env: {
        ...fn.environment,
        ...this.options.runtimeEnv(fn),
        REHEARSAL_CLOCK_OFFSET_MS: String(this.options.clockOffsetMs()),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.options.onLog(fn, line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const ready = new Promise<void>((done, fail) => {
      child.on(
        'message',
        (message: {
          type: string;
          initMs?: number;
          node?: string;
          error?: { errorType: string; errorMessage: string };
        }) => {
          if (message.type === 'ready') {
            stats.initMs.push(message.initMs ?? 0);
            if (message.node) stats.nodeVersion = message.node;
            done();
          }
          if (message.type === 'init-error') {
            fail(
              new InitError(
                `${fn.name} failed to start (init): ${message.error?.errorType}: ${message.error?.errorMessage}`,
              ),
            );
          }
        },
      );
      child.once('exit', (code) =>
        fail(
          new InitError(
            `${fn.name} failed to start: its process exited with ${code}${buffered ? `\n${buffered}` : ''}`,
          ),
        ),
      );
    });
    ready.catch(() => undefined);
    return { child, busy: false, ready };
  }

  /** Ends every container. */
  async stop(): Promise<void> {
    for (const pool of this.containers.values()) for (const c of pool) c.child.kill('SIGKILL');
    this.containers.clear();
  }
}
