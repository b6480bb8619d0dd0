import type { Rules } from '../domain/rules';
import type { Voice } from '../domain/voice';

/** A parsed doc as last accepted, with what it was parsed from. */
export interface StoredDoc<T> {
  readonly value: T;
  /** Hash of the doc text it was parsed from: an unchanged doc is not parsed or saved again. */
  readonly sourceHash: string;
  /** When it was accepted (ISO). */
  readonly savedAt: string;
}

/** The operator's pause, set from the CLI; the rules doc has its own. */
export interface OperatorPause {
  readonly reason: string;
  readonly since: string;
}

/**
 * The last good rules and voice, kept in DynamoDB so a cold Lambda has them without asking Google, plus the
 * operator's pause and the record of which doc problems the owner was already told about.
 */
export interface OwnerDocsStore {
  rules(): Promise<StoredDoc<Rules> | undefined>;
  voice(): Promise<StoredDoc<Voice> | undefined>;
  saveRules(doc: StoredDoc<Rules>): Promise<void>;
  saveVoice(doc: StoredDoc<Voice>): Promise<void>;
  operatorPause(): Promise<OperatorPause | undefined>;
  setOperatorPause(pause: OperatorPause | undefined): Promise<void>;
  /** True the first time a problem key is seen (then the owner is emailed); false afterwards. */
  firstNotice(problemKey: string, at: Date): Promise<boolean>;
}
