import type { Log } from '../../ports/log';

/** Compact one-line logs for a person watching the local system. */
export function consoleLog(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Log {
  const line = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    write(`${new Date().toISOString().slice(11, 19)} ${level} ${message}${attributes ? ` ${JSON.stringify(attributes)}` : ''}`);
  return { info: line('info '), warn: line('warn '), error: line('ERROR') };
}
