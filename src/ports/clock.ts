/** The one source of "now" for domain code and use cases; tests and the local system control it. */
export interface Clock {
  now(): Date;
}

/** Real time, as production uses it. */
export const systemClock: Clock = { now: () => new Date() };
