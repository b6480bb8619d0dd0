/** Lambda entry of SES feedback: bounce and complaint events from the configuration set, via EventBridge. */
import { awsEntry } from '../composition/aws/root';
import { sesEventsFunction } from '../composition/functions';
import { sesEventsEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry('ses-events', sesEventsEnvSchema, {}, ({ platform }) => sesEventsFunction(platform));
