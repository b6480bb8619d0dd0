/** Lambda entry of the monthly summary: on the 1st (store time), emails the owner last month's numbers. */
import { sesMailer } from '../composition/aws/email';
import { awsEntry } from '../composition/aws/root';
import { summaryFunction } from '../composition/functions';
import { summaryEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry('summary', summaryEnvSchema, { mailer: sesMailer }, ({ platform }) =>
  summaryFunction(platform),
);
