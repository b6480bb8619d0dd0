import { AsyncLocalStorage } from 'node:async_hooks';
import type { Log } from '../../ports/log';

/** Keys appended during one local invocation; each invocation runs in its own scope, as each Lambda call does. */
const invocationKeys = new AsyncLocalStorage<Record<string, unknown>>();

/**
 * Runs one invocation of a local handler in its own log scope, so keys it appends (the cart id) reach only its own
 * lines, though the local system serves many requests at once in one process.
 */
export function inInvocationScope<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return (...args) => invocationKeys.run({}, () => handler(...args));
}

/** Compact one-line logs for a person watching the local system. */
export function consoleLog(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Log {
  const line = (level: string) => (message: string, attributes?: Record<string, unknown>) => {
    const keys = invocationKeys.getStore();
    const all = keys && Object.keys(keys).length > 0 ? { ...keys, ...attributes } : attributes;
    write(`${new Date().toISOString().slice(11, 19)} ${level} ${message}${all ? ` ${JSON.stringify(all)}` : ''}`);
  };
  return {
    info: line('info '),
    warn: line('warn '),
    error: line('ERROR'),
    appendKeys(keys) {
      const store = invocationKeys.getStore();
      if (store) Object.assign(store, keys);
    },
  };
}
