/*
 * The rehearsal's Lambda runtime, one process per container (as Lambda runs each function in a container of its own):
 * started with the function's environment on Lambda's Node major, it owns the clock the function sees (Date, shifted
 * by the offset each invocation carries), loads the bundle from LAMBDA_TASK_ROOT during init, and runs one invocation
 * at a time with a Lambda-shaped context. It talks to the rehearsal over the IPC channel: `ready` or `init-error`
 * after init, one `result` per `invoke`. The rehearsal ends the process when an invocation overruns its timeout.
 * Plain CommonJS on purpose: it is the runtime, not part of any bundle.
 */
'use strict';
const path = require('node:path');
const fs = require('node:fs');

// The clock: the rehearsal decides what time it is. Date.now() and `new Date()` are shifted by the offset; timers and
// performance.now() are not (they measure durations, which the rehearsal does not warp).
let offsetMs = Number(process.env.REHEARSAL_CLOCK_OFFSET_MS || 0);
const RealDate = Date;
class RehearsalDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = RehearsalDate;
delete process.env.REHEARSAL_CLOCK_OFFSET_MS;

const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));

function errorOf(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

async function init() {
  const started = performance.now();
  const [file, exportName] = splitHandler(process.env._HANDLER);
  const root = process.env.LAMBDA_TASK_ROOT;
  const candidates = ['.js', '.cjs', '.mjs'].map((ext) => path.join(root, file + ext)).filter((p) => fs.existsSync(p));
  if (candidates.length === 0)
    throw Object.assign(new Error(`Cannot find module '${file}'`), { name: 'Runtime.ImportModuleError' });
  const loaded = candidates[0].endsWith('.mjs') ? await import(candidates[0]) : require(candidates[0]);
  const handler = exportName.split('.').reduce((value, key) => (value == null ? undefined : value[key]), loaded);
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${file}.${exportName} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return { handler, initMs: performance.now() - started };
}

function splitHandler(spec) {
  const dot = spec.lastIndexOf('.');
  return [spec.slice(0, dot), spec.slice(dot + 1)];
}

let handler;
process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  offsetMs = message.clockOffsetMs;
  const deadline = Date.now() + message.timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  const started = performance.now();
  try {
    const value = await handler(message.event, context);
    await send({
      type: 'result',
      id: message.id,
      ok: true,
      value: value === undefined ? null : value,
      durationMs: performance.now() - started,
    });
  } catch (error) {
    await send({
      type: 'result',
      id: message.id,
      ok: false,
      error: errorOf(error),
      durationMs: performance.now() - started,
    });
  }
});

process.on('unhandledRejection', (reason) => {
  console.error('Runtime.UnhandledPromiseRejection', reason);
  process.exit(129);
});

init().then(
  async (loaded) => {
    handler = loaded.handler;
    await send({ type: 'ready', initMs: loaded.initMs, node: process.version });
  },
  async (error) => {
    console.error(`INIT_REPORT Status: error ${error?.name}: ${error?.message}`);
    await send({ type: 'init-error', error: errorOf(error) });
    process.exit(1);
  },
);
