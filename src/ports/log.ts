/** Structured logging as use cases see it; Powertools' Logger satisfies it. */
export interface Log {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** Discards everything (tests that do not look at logs). */
export const silentLog: Log = { info() {}, warn() {}, error() {} };
