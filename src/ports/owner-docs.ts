import { DEFAULT_RULES, type Rules } from '../domain/owner-docs/rules';
import { DEFAULT_VOICE, type Voice } from '../domain/owner-docs/voice';

/** Where rules come from at run time: the loader's stored copy of the owner's rules doc (cached per container). */
export interface RulesSource {
  current(): Promise<Rules>;
}

/** Where the voice comes from at run time: the loader's stored copy of the owner's voice doc. */
export interface VoiceSource {
  current(): Promise<Voice>;
}

/** A rules source that always answers the same rules (tests that are not about the docs). */
export function fixedRules(rules: Rules = DEFAULT_RULES): RulesSource {
  return { current: async () => rules };
}

/** A voice source that always answers the same voice. */
export function fixedVoice(voice: Voice = DEFAULT_VOICE): VoiceSource {
  return { current: async () => voice };
}
