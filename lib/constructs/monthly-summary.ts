import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { OwnerJobProps } from './importer';
import { HOURLY_STORE_TICK, RecurringJob } from './recurring-job';
import { functionDefaults } from './function-props';
import { ServiceFunction } from './service-function';

/** The summary runs at 08:00 on the 1st in the rules doc's time zone and writes to `ownerEmail`. */
export type MonthlySummaryProps = OwnerJobProps;

/**
 * The owner's monthly summary: on the 1st of each month at 08:00 store time, one read of last month's counters
 * (kept in cr-sends as things happened) and one email. Read-only on the data: it never scans the tables.
 */
export class MonthlySummary extends Construct {
  readonly service: ServiceFunction;
  readonly job: RecurringJob;

  constructor(scope: Construct, id: string, props: MonthlySummaryProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('summary', props, {
        CR_OWNER_EMAIL: props.ownerEmail,
        CR_FROM_ADDRESS: props.fromAddress,
      }),
      description: "cart-recovery: emails the owner last month's numbers on the 1st",
      timeout: Duration.seconds(30),
    });
    // The month's counters and the stored rules (store name, zone, currency) both live in cr-sends.
    props.tables.grant(this.service, 'sends', ['GetItem']);
    props.email.grantSend(this.service, { sid: 'SendOwnerSummary', recipients: [props.ownerEmail] });

    this.job = new RecurringJob(this, 'Monthly', {
      target: this.service.function,
      ...HOURLY_STORE_TICK,
      scheduleName: 'cart-recovery-monthly-summary',
      description:
        "cart-recovery: hourly tick; the owner's monthly summary at 08:00 on the 1st in the rules doc's time zone",
      maxEventAge: Duration.hours(6),
      retryAttempts: 10,
      deadLetterQueue: props.scheduling.deadLetterQueue,
    });
  }
}
