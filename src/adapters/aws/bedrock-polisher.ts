import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { PolishPrompt, Polisher, PolishUsage } from '../../ports/polisher';

/** Options for {@link BedrockPolisher}. */
export interface BedrockPolisherOptions {
  /**
   * An inference profile id, e.g. `global.anthropic.claude-haiku-4-5-20251001-v1:0` (Haiku 4.5 refuses the bare id).
   */
  readonly modelId: string;
  /** Output cap; one short line needs far fewer. Default 80. */
  readonly maxTokens?: number;
  /** The whole call is abandoned after this long and the caller uses the plain line. Default 3000. */
  readonly timeoutMs?: number;
  /** Default 0.5. Only temperature is sent: Haiku 4.5 answers 400 when temperature and topP come together. */
  readonly temperature?: number;
}

/** Why {@link BedrockPolisher} refused an answer it got (or did not get in time). */
export type BedrockPolishFailure = 'timeout' | 'stopped' | 'no_text';

/** Rejection from {@link BedrockPolisher} for anything other than an SDK error (those pass through unchanged). */
export class BedrockPolishError extends Error {
  override readonly name = 'BedrockPolishError';
  constructor(
    readonly reason: BedrockPolishFailure,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_TOKENS = 80;
const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_TEMPERATURE = 0.5;
/**
 * Stop reasons that mean the model finished its answer. Anything else (`max_tokens`, a guardrail or content filter,
 * a tool call...) leaves text that is truncated or not the line we asked for, and it must not ship.
 */
const FINISHED = new Set<string>(['end_turn', 'stop_sequence']);

/**
 * Polishes one line with a single Bedrock Converse call, bounded by a timeout.
 *
 * **Create the client with `maxAttempts: 1`** (the AWS composition root does): the SDK otherwise retries
 * throttles and 5xx up to three times with backoff, hidden inside one `send`, and the caller's time budget is gone.
 * A failed polish is cheap, as the caller falls back to the plain line, so one attempt is right.
 *
 * Rejects on any SDK error (unchanged), on timeout, on an unfinished answer (e.g. `max_tokens`) and on an answer
 * without text. It does not judge the text itself: the domain's `validatePolishedLine` does that.
 */
export class BedrockPolisher implements Polisher {
  private readonly modelId: string;
  private readonly maxTokens: number;
  private readonly timeoutMs: number;
  private readonly temperature: number;

  /** @param client a client made with `maxAttempts: 1` (see `AWS_CLIENT_POLICY.bedrock`). */
  constructor(
    private readonly client: BedrockRuntimeClient,
    options: BedrockPolisherOptions,
  ) {
    this.modelId = options.modelId;
    this.maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.temperature = options.temperature ?? DEFAULT_TEMPERATURE;
  }

  /** Asks the model once; resolves with its raw text and token usage. */
  async polish(prompt: PolishPrompt): Promise<{ text: string; usage?: PolishUsage }> {
    const command = new ConverseCommand({
      modelId: this.modelId,
      system: [{ text: prompt.system }],
      messages: [{ role: 'user', content: [{ text: prompt.user }] }],
      inferenceConfig: { maxTokens: this.maxTokens, temperature: this.temperature },
    });
    const response = await this.sendWithTimeout(command);
    return readAnswer(response);
  }

  /**
   * Aborting the signal cancels the HTTP request in the SDK; racing a timer as well means the timeout holds even if
   * the request does not settle promptly on abort.
   */
  private async sendWithTimeout(command: ConverseCommand): Promise<ConverseCommandOutput> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new BedrockPolishError('timeout', `Bedrock polish timed out after ${this.timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([this.client.send(command, { abortSignal: controller.signal }), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function readAnswer(response: ConverseCommandOutput): { text: string; usage?: PolishUsage } {
  const stopReason = response.stopReason;
  if (stopReason === undefined || !FINISHED.has(stopReason)) {
    throw new BedrockPolishError('stopped', `Bedrock answer unfinished (stopReason ${stopReason ?? 'missing'})`);
  }
  const blocks = response.output?.message?.content ?? [];
  const text = blocks.map((block) => block.text ?? '').join('');
  if (text.trim() === '') throw new BedrockPolishError('no_text', 'Bedrock answer has no text');
  const usage = response.usage;
  if (usage?.inputTokens === undefined || usage.outputTokens === undefined) return { text };
  return { text, usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } };
}
