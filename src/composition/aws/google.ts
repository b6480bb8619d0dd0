/** The owner's Google Drive (docs and the export sheet), for the rules loader and the importer alone. */
import { GoogleOwnerDrive, serviceAccountAuth } from '../../adapters/google/google-drive';
import { AWS_CLIENT_POLICY } from './policy';

/** The owner's Drive, read as the service account whose key is the SecureString `keyJson` holds. */
export function googleOwnerDrive(keyJson: string): GoogleOwnerDrive {
  return new GoogleOwnerDrive({ auth: serviceAccountAuth(keyJson), timeoutMs: AWS_CLIENT_POLICY.google.timeoutMs });
}
