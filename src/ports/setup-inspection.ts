import type { SenderIdentityFacts, SesAccountFacts } from '../domain/operations/doctor';

/**
 * What `npm run doctor` asks of the platform. Each method rejects with the provider's own error (its `name` is kept
 * as the finding's code, e.g. `AccessDeniedException`), so the checks can tell "not allowed" from "not there".
 */
export interface EmailAccountInspector {
  /** The sending account: sandbox or production, paused or not, quota. */
  account(): Promise<SesAccountFacts>;
  /** A sending identity (domain); rejects with a `NotFoundException` when SES has none. */
  identity(name: string): Promise<SenderIdentityFacts>;
}

/** Makes the smallest possible call to the model; resolves when the model answered. */
export interface ModelAccessProbe {
  probe(modelId: string): Promise<void>;
}

/** Whether a secret exists, without decrypting its value. */
export interface SecretInspector {
  state(name: string): Promise<'set' | 'missing'>;
}
