/** Lambda entry of the nightly export lane: imports the storefront's cart export sheet through the intake path. */
import { sesMailer } from '../composition/aws/email';
import { googleOwnerDrive } from '../composition/aws/google';
import { awsEntry } from '../composition/aws/root';
import { secret } from '../composition/aws/secrets';
import { importerFunction } from '../composition/functions';
import { eventBridgeScheduler } from '../composition/aws/scheduling';
import { importerEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry(
  'importer',
  importerEnvSchema,
  { scheduler: eventBridgeScheduler, mailer: sesMailer },
  ({ config, platform }) =>
    importerFunction(platform, async () => {
      const drive = googleOwnerDrive(await secret(config.CR_GOOGLE_KEY_PARAM));
      return drive.readSheetRows(config.CR_EXPORT_SHEET_ID, config.CR_EXPORT_RANGE);
    }),
);
