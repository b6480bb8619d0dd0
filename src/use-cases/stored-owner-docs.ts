import type { Rules } from '../domain/owner-docs/rules';
import type { Voice } from '../domain/owner-docs/voice';
import type { Clock } from '../ports/clock';
import { withOperatorStops } from '../domain/owner-docs/rules';
import type { OwnerDocsStore } from '../ports/owner-docs-store';
import type { RulesSource, VoiceSource } from '../ports/owner-docs';

/** Raised when no rules or voice were ever accepted: nothing may be sent on guesses. */
export class OwnerDocsMissingError extends Error {
  override readonly name = 'OwnerDocsMissingError';
}

/**
 * The rules and voice as the hot path sees them: the last good copies the loader stored, cached in the container
 * for `cacheMs`, with the operator's stops applied. Never calls Google.
 */
export class StoredOwnerDocs implements RulesSource {
  private cached: { at: number; rules: Rules; voice: Voice } | undefined;
  private loading: Promise<{ rules: Rules; voice: Voice }> | undefined;

  constructor(
    private readonly store: OwnerDocsStore,
    private readonly clock: Clock,
    private readonly cacheMs: number,
  ) {}

  async current(): Promise<Rules> {
    return (await this.load()).rules;
  }

  /** The voice half (a class cannot have two `current` methods; `voiceSource` adapts it). */
  async currentVoice(): Promise<Voice> {
    return (await this.load()).voice;
  }

  /** This source as a VoiceSource. */
  get voiceSource(): VoiceSource {
    return { current: () => this.currentVoice() };
  }

  private async load(): Promise<{ rules: Rules; voice: Voice }> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached;
    this.loading ??= this.read().finally(() => (this.loading = undefined));
    const fresh = await this.loading;
    this.cached = { at: now, ...fresh };
    return fresh;
  }

  private async read(): Promise<{ rules: Rules; voice: Voice }> {
    const [rules, voice, operator] = await Promise.all([
      this.store.rules(),
      this.store.voice(),
      this.store.operatorStops(),
    ]);
    if (!rules)
      throw new OwnerDocsMissingError('no rules doc has been accepted yet: run the rules loader and check its log');
    if (!voice)
      throw new OwnerDocsMissingError('no voice doc has been accepted yet: run the rules loader and check its log');
    return { rules: withOperatorStops(rules.value, operator), voice: voice.value };
  }
}
