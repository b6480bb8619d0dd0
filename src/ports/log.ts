/** Structured logging as use cases see it; Powertools' Logger satisfies it. */
export interface Log {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  /**
   * Adds keys to every later line of the current invocation (the cart id, once a handler knows it), so a person can
   * follow one cart through the log. The composition root clears them when the invocation ends.
   */
  appendKeys(keys: Record<string, unknown>): void;
}

/** Discards everything (tests that do not look at logs). */
export const silentLog: Log = { info() {}, warn() {}, error() {}, appendKeys() {} };
