import type { OperatorStops, Rules, StopSet } from '../domain/owner-docs/rules';
import type { Voice } from '../domain/owner-docs/voice';

/** A parsed doc as last accepted, with what it was parsed from. */
export interface StoredDoc<T> {
  readonly value: T;
  /** Hash of the doc text it was parsed from: an unchanged doc is not parsed or saved again. */
  readonly sourceHash: string;
  /** When it was accepted (ISO). */
  readonly savedAt: string;
}

/**
 * The last good rules and voice, kept in DynamoDB so a cold Lambda has them without asking Google, plus the
 * operator's stops and the record of which doc problems the owner was already told about.
 */
export interface OwnerDocsStore {
  rules(): Promise<StoredDoc<Rules> | undefined>;
  voice(): Promise<StoredDoc<Voice> | undefined>;
  saveRules(doc: StoredDoc<Rules>): Promise<void>;
  saveVoice(doc: StoredDoc<Voice>): Promise<void>;
  operatorStops(): Promise<OperatorStops>;
  saveOperatorStops(stops: OperatorStops): Promise<void>;
  /** The stops the loader last put in force, so it can tell which were removed since. */
  appliedStops(): Promise<StopSet | undefined>;
  saveAppliedStops(stops: StopSet): Promise<void>;
  /** True the first time a problem key is seen (then the owner is emailed); false afterwards. */
  firstNotice(problemKey: string, at: Date): Promise<boolean>;
  /** Where the owner's telling about a doc that does not parse stands (undefined when the doc parses). */
  problemNotice(kind: 'rules' | 'voice'): Promise<ProblemNotice | undefined>;
  /** Saves it; undefined clears it (the doc parses again). */
  saveProblemNotice(kind: 'rules' | 'voice', notice: ProblemNotice | undefined): Promise<void>;
}

/**
 * A doc that does not parse: which text, since when the loader has seen it unchanged, and whether the owner was told.
 */
export interface ProblemNotice {
  readonly sourceHash: string;
  /** ISO time the loader first read this text. */
  readonly since: string;
  readonly notified: boolean;
}
