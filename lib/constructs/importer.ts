import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Email } from './email';
import { HOURLY_STORE_TICK, RecurringJob } from './recurring-job';
import type { Scheduling } from './scheduling';
import { functionDefaults, type ReadsOwnerDocsProps } from './function-props';
import { grantReadParameters, ServiceFunction } from './service-function';

/** What every job that writes to the store owner on a schedule (importer, monthly summary) is built from. */
export interface OwnerJobProps extends ReadsOwnerDocsProps {
  /** For the dead-letter queue of the job's recurring schedule. */
  readonly scheduling: Scheduling;
  readonly email: Email;
  /** Who the job writes to (CR_OWNER_EMAIL). */
  readonly ownerEmail: string;
  /** From address of those emails, at the verified sender domain (CR_FROM_ADDRESS). */
  readonly fromAddress: string;
}

export interface ImporterProps extends OwnerJobProps {
  /** Google Sheet ID of the storefront's cart export (CR_EXPORT_SHEET_ID). */
  readonly exportSheetId: string;
  /** SSM SecureString name of the Google service-account key, JSON (CR_GOOGLE_KEY_PARAM). */
  readonly googleKeyParam: string;
}

/**
 * The nightly export lane, for storefronts that cannot send webhooks: at 02:00 in the store's zone it reads the
 * export Google Sheet and runs every good row through the same intake path as a webhook (docs/drive-export.md), then
 * emails the owner about rows it had to skip.
 *
 * 5 min timeout: one Sheets read, then per row one conditional write and at most one schedule.
 */
export class Importer extends Construct {
  readonly service: ServiceFunction;
  readonly job: RecurringJob;

  constructor(scope: Construct, id: string, props: ImporterProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('importer', props, {
        CR_EXPORT_SHEET_ID: props.exportSheetId,
        CR_GOOGLE_KEY_PARAM: props.googleKeyParam,
        CR_OWNER_EMAIL: props.ownerEmail,
        CR_FROM_ADDRESS: props.fromAddress,
      }),
      description: 'cart-recovery: nightly import of the cart export sheet',
      timeout: Duration.minutes(5),
    });
    props.tables.grant(this.service, 'carts', ['GetItem', 'QueryIndex', 'UpdateItem']);
    // Reads the stored rules, writes the activity log and the bad-row notice de-duplication (conditional puts).
    props.tables.grant(this.service, 'sends', ['GetItem', 'PutItem']);
    props.scheduling.grantScheduling(this.service);
    grantReadParameters(this.service, [props.googleKeyParam]);
    props.email.grantSend(this.service, { sid: 'SendOwnerNotices', recipients: [props.ownerEmail] });

    this.job = new RecurringJob(this, 'Nightly', {
      target: this.service.function,
      ...HOURLY_STORE_TICK,
      scheduleName: 'cart-recovery-importer',
      description: "cart-recovery: hourly tick; imports the cart export sheet at 02:00 in the rules doc's time zone",
      maxEventAge: Duration.hours(6),
      retryAttempts: 10,
      deadLetterQueue: props.scheduling.deadLetterQueue,
    });
  }
}
