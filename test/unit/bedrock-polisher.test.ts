import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandOutput,
  ModelTimeoutException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BedrockPolishError, BedrockPolisher } from '../../src/adapters/aws/bedrock-polisher';
import { bedrockClient } from '../../src/composition/aws/bedrock';

const MODEL_ID = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const prompt = {
  system: 'Rewrite the line in the store voice. One sentence.',
  user: 'Line: Your cart is waiting, Sam.',
};

// Mock one client instance, so the abort test at the end can use a real, unmocked client.
const client = new BedrockRuntimeClient({ region: 'us-east-1', maxAttempts: 1 });
const bedrock = mockClient(client);

/** The options the adapter passed with its first send; the stub's type declares only the command argument. */
function firstSendOptions(): { abortSignal?: AbortSignal } | undefined {
  const args: readonly unknown[] = bedrock.send.getCall(0).args;
  return args[1] as { abortSignal?: AbortSignal } | undefined;
}

function answer(overrides: Partial<ConverseCommandOutput> = {}): ConverseCommandOutput {
  return {
    $metadata: {},
    output: { message: { role: 'assistant', content: [{ text: 'Sam, your linen throw is still here.' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 212, outputTokens: 11, totalTokens: 223 },
    metrics: { latencyMs: 640 },
    ...overrides,
  };
}

describe('Bedrock polisher', () => {
  beforeEach(() => {
    bedrock.reset();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes exactly one Converse call with system, user message and temperature but no topP', async () => {
    bedrock.on(ConverseCommand).resolves(answer());

    await new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt);

    expect(bedrock).toHaveReceivedCommandTimes(ConverseCommand, 1);
    expect(bedrock).toHaveReceivedCommandWith(ConverseCommand, {
      modelId: MODEL_ID,
      system: [{ text: prompt.system }],
      messages: [{ role: 'user', content: [{ text: prompt.user }] }],
      inferenceConfig: { maxTokens: 80, temperature: 0.5 },
    });
    const input = bedrock.commandCalls(ConverseCommand)[0]?.args[0].input;
    // Exact: Haiku 4.5 answers 400 to temperature plus topP, and nothing else (tools, stop sequences) is sent.
    expect(input?.inferenceConfig).toStrictEqual({ maxTokens: 80, temperature: 0.5 });
    expect(Object.keys(input ?? {}).sort()).toEqual(['inferenceConfig', 'messages', 'modelId', 'system']);
  });

  it('uses the given maxTokens and temperature', async () => {
    bedrock.on(ConverseCommand).resolves(answer());

    await new BedrockPolisher(client, { modelId: MODEL_ID, maxTokens: 40, temperature: 0.2 }).polish(prompt);

    expect(bedrock).toHaveReceivedCommandWith(ConverseCommand, {
      inferenceConfig: { maxTokens: 40, temperature: 0.2 },
    });
  });

  it('returns the text blocks joined and the token usage', async () => {
    bedrock.on(ConverseCommand).resolves(
      answer({
        output: {
          message: { role: 'assistant', content: [{ text: 'Sam, your linen throw ' }, { text: 'is still here.' }] },
        },
      }),
    );

    const result = await new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt);

    expect(result).toEqual({
      text: 'Sam, your linen throw is still here.',
      usage: { inputTokens: 212, outputTokens: 11 },
    });
  });

  it('passes an abort signal with the call', async () => {
    bedrock.on(ConverseCommand).resolves(answer());

    await new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt);

    expect(firstSendOptions()).toEqual({ abortSignal: expect.any(AbortSignal) });
  });

  it.each([
    ['ThrottlingException', new ThrottlingException({ message: 'Too many requests', $metadata: {} })],
    ['ServiceUnavailableException', new ServiceUnavailableException({ message: 'Service unavailable', $metadata: {} })],
    ['ModelTimeoutException', new ModelTimeoutException({ message: 'Model timed out', $metadata: {} })],
    [
      'ValidationException',
      new ValidationException({ message: 'on-demand throughput isn’t supported', $metadata: {} }),
    ],
  ])('rejects with the SDK error on %s, after one attempt', async (_name, error) => {
    bedrock.on(ConverseCommand).rejects(error);

    await expect(new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt)).rejects.toBe(error);
    expect(bedrock).toHaveReceivedCommandTimes(ConverseCommand, 1);
  });

  it('rejects a truncated answer (stopReason max_tokens) even though it has text', async () => {
    bedrock.on(ConverseCommand).resolves(
      answer({
        stopReason: 'max_tokens',
        output: { message: { role: 'assistant', content: [{ text: 'Sam, your linen throw is' }] } },
      }),
    );

    const polishing = new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt);

    await expect(polishing).rejects.toBeInstanceOf(BedrockPolishError);
    await expect(polishing).rejects.toMatchObject({
      reason: 'stopped',
      message: expect.stringContaining('max_tokens'),
    });
  });

  it('rejects an answer a guardrail or content filter stopped', async () => {
    bedrock.on(ConverseCommand).resolves(answer({ stopReason: 'content_filtered' }));

    await expect(new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt)).rejects.toMatchObject({
      reason: 'stopped',
    });
  });

  it.each([
    ['no content blocks', answer({ output: { message: { role: 'assistant', content: [] } } })],
    ['only whitespace', answer({ output: { message: { role: 'assistant', content: [{ text: '  \n' }] } } })],
    ['no output at all', answer({ output: undefined })],
  ])('rejects an answer with %s', async (_case, response) => {
    bedrock.on(ConverseCommand).resolves(response);

    await expect(new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt)).rejects.toMatchObject({
      name: 'BedrockPolishError',
      reason: 'no_text',
    });
  });

  it('times out a call that does not answer, aborting it, without waiting for the slow answer', async () => {
    vi.useFakeTimers();
    // The mock cannot see the abort signal, so it stands for a Bedrock that answers only after 10 s.
    bedrock.on(ConverseCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve(answer()), 10_000)));

    const polishing = new BedrockPolisher(client, { modelId: MODEL_ID, timeoutMs: 50 }).polish(prompt);
    const outcome = expect(polishing).rejects.toMatchObject({
      name: 'BedrockPolishError',
      reason: 'timeout',
      message: expect.stringContaining('timed out'),
    });
    await vi.advanceTimersByTimeAsync(50);
    await outcome;

    const signal = firstSendOptions()?.abortSignal;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ reason: 'timeout' });
  });

  it('clears its timer once the answer is in, leaving nothing pending', async () => {
    vi.useFakeTimers();
    bedrock.on(ConverseCommand).resolves(answer());

    await new BedrockPolisher(client, { modelId: MODEL_ID }).polish(prompt);

    expect(vi.getTimerCount()).toBe(0);
    expect(firstSendOptions()?.abortSignal?.aborted).toBe(false);
  });
});

describe('Bedrock client for the polisher', () => {
  it('makes one attempt only, so SDK retries cannot outlive the polish timeout', async () => {
    const made = bedrockClient('eu-west-1');
    expect(await made.config.maxAttempts()).toBe(1);
    expect(await made.config.region()).toBe('eu-west-1');
  });

  it(
    'really cancels the HTTP request when the timeout fires ' + '(unmocked SDK against a server that never answers)',
    async () => {
      const requests: IncomingHttpHeaders[] = [];
      let streamClosed = false;
      // The Bedrock Runtime client speaks HTTP/2 (cleartext here). The server never responds: only the client's
      // abort can end the request, by cancelling its stream.
      const server: Http2Server = createServer();
      const sessions = new Set<ServerHttp2Session>();
      server.on('session', (session) => sessions.add(session));
      server.on('stream', (stream, headers) => {
        requests.push(headers);
        stream.once('close', () => {
          streamClosed = true;
        });
      });
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
      let real: BedrockRuntimeClient | undefined;
      try {
        const { port } = server.address() as AddressInfo;
        real = new BedrockRuntimeClient({
          region: 'us-east-1',
          maxAttempts: 1,
          endpoint: `http://127.0.0.1:${port}`,
          credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
        });

        await expect(
          new BedrockPolisher(real, { modelId: MODEL_ID, timeoutMs: 1000 }).polish(prompt),
        ).rejects.toMatchObject({
          name: 'BedrockPolishError',
          reason: 'timeout',
        });

        expect(requests).toHaveLength(1);
        expect(requests[0]?.[':method']).toBe('POST');
        expect(decodeURIComponent(String(requests[0]?.[':path']))).toBe(`/model/${MODEL_ID}/converse`);
        await vi.waitFor(() => expect(streamClosed).toBe(true));
      } finally {
        real?.destroy();
        for (const session of sessions) session.destroy();
        await new Promise((stopped) => server.close(stopped));
      }
    },
  );
});
