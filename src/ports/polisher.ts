/** The prompt for the one polished sentence (built by the domain's buildPolishPrompt). */
export interface PolishPrompt {
  readonly system: string;
  readonly user: string;
}

/** Token counts of one model call, for the cost report. */
export interface PolishUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * Asks a language model to rewrite one line. Resolves with the model's raw text (the caller validates it) or
 * rejects on any error, throttle or timeout; the caller then uses the plain line.
 */
export interface Polisher {
  polish(prompt: PolishPrompt): Promise<{ text: string; usage?: PolishUsage }>;
}
