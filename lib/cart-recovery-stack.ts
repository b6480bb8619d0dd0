import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config';
import { Alarms } from './constructs/alarms';
import { DataTables } from './constructs/data-tables';
import { Email } from './constructs/email';
import { Intake } from './constructs/intake';
import { Scheduling } from './constructs/scheduling';
import { Sender } from './constructs/sender';
import { FUNCTION_NAMES, type FunctionRole, functionArnForName, type ServiceFunction } from './constructs/service-function';
import { Unsubscribe } from './constructs/unsubscribe';
import { Waiter } from './constructs/waiter';

/** Lambda entry files, each exporting `handler`. */
export const HANDLER_ENTRIES: Readonly<Record<FunctionRole, string>> = {
  intake: fileURLToPath(new URL('../src/handlers/intake.ts', import.meta.url)),
  waiter: fileURLToPath(new URL('../src/handlers/waiter.ts', import.meta.url)),
  sender: fileURLToPath(new URL('../src/handlers/sender.ts', import.meta.url)),
  unsubscribe: fileURLToPath(new URL('../src/handlers/unsubscribe.ts', import.meta.url)),
};

export interface CartRecoveryStackProps extends StackProps {
  /** Validated deploy configuration (`readDeployConfig`). */
  readonly config: DeployConfig;
  /**
   * Entry files by function.
   * @default HANDLER_ENTRIES
   */
  readonly entries?: Partial<Record<FunctionRole, string>>;
}

/**
 * The whole production system in one stack: tables, scheduling, SES, the four functions and their alarms.
 *
 * The sender and unsubscribe functions are built only when their entry file exists (`existsSync`), because their
 * handlers are still being written; the stack warns while one is missing. Remove that guard once
 * `src/handlers/sender.ts` and `src/handlers/unsubscribe.ts` have landed.
 */
export class CartRecoveryStack extends Stack {
  readonly tables: DataTables;
  readonly scheduling: Scheduling;
  readonly email: Email;
  readonly intake: Intake;
  readonly waiter: Waiter;
  readonly sender?: Sender;
  readonly unsubscribe?: Unsubscribe;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: CartRecoveryStackProps) {
    super(scope, id, {
      description: 'cart-recovery: friendly abandoned-cart reminders (webhooks, EventBridge Scheduler, SES, Bedrock)',
      ...props,
    });
    const { config } = props;
    const entries = { ...HANDLER_ENTRIES, ...props.entries };
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    Tags.of(this).add('app', 'cart-recovery');

    this.tables = new DataTables(this, 'Data');
    this.scheduling = new Scheduling(this, 'Scheduling', { waiterArn: functionArnForName(this, FUNCTION_NAMES.waiter) });
    this.email = new Email(this, 'Email', { senderDomain: config.senderDomain });

    this.waiter = new Waiter(this, 'Waiter', {
      entry: entries.waiter,
      tables: this.tables,
      scheduling: this.scheduling,
      retentionDays: config.retentionDays,
      logRetention,
    });
    this.intake = new Intake(this, 'Intake', {
      entry: entries.intake,
      tables: this.tables,
      scheduling: this.scheduling,
      retentionDays: config.retentionDays,
      webhookSecretParam: config.webhookSecretParam,
      ...(config.shopifySecretParam ? { shopifySecretParam: config.shopifySecretParam } : {}),
      logRetention,
    });

    const missing: FunctionRole[] = [];
    if (existsSync(entries.unsubscribe)) {
      this.unsubscribe = new Unsubscribe(this, 'Unsubscribe', {
        entry: entries.unsubscribe,
        tables: this.tables,
        unsubscribeKeyParam: config.unsubscribeKeyParam,
        retentionDays: config.retentionDays,
        logRetention,
      });
    } else missing.push('unsubscribe');

    if (existsSync(entries.sender)) {
      this.sender = new Sender(this, 'Sender', {
        entry: entries.sender,
        tables: this.tables,
        scheduling: this.scheduling,
        email: this.email,
        bedrock: config.bedrock,
        fromAddress: config.fromAddress,
        ...(config.replyTo ? { replyTo: config.replyTo } : {}),
        storeName: config.storeName,
        storePostalAddress: config.storePostalAddress,
        unsubscribeKeyParam: config.unsubscribeKeyParam,
        ...(this.unsubscribe ? { unsubscribeBaseUrl: this.unsubscribe.url.url } : {}),
        retentionDays: config.retentionDays,
        logRetention,
      });
      this.waiter.handOffTo(this.sender.service.function);
    } else missing.push('sender');

    const functions: Record<string, ServiceFunction> = {
      Intake: this.intake.service,
      Waiter: this.waiter.service,
      ...(this.sender ? { Sender: this.sender.service } : {}),
      ...(this.unsubscribe ? { Unsubscribe: this.unsubscribe.service } : {}),
    };
    this.alarms = new Alarms(this, 'Alarms', {
      functions,
      deadLetterQueue: this.scheduling.deadLetterQueue,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    this.addOutputs();

    if (config.placeholders.length > 0) {
      Annotations.of(this).addWarningV2(
        'cart-recovery:placeholder-config',
        `Demo placeholders in use for ${config.placeholders.join(', ')} (e.g. senderDomain=${config.senderDomain}). ` +
          'Fine for `cdk synth`; do NOT deploy this. Set real values in cdk.json context or with -c key=value (docs/deploy.md).',
      );
    }
    if (missing.length > 0) {
      Annotations.of(this).addWarningV2(
        'cart-recovery:handlers-missing',
        `Not built yet, so left out of this stack: ${missing.map((role) => `src/handlers/${role}.ts`).join(', ')}. ` +
          (missing.includes('sender') ? 'Without the sender the waiter has no CR_SENDER_ARN and no reminder can be sent. ' : '') +
          (missing.includes('unsubscribe') && !missing.includes('sender')
            ? 'Without the unsubscribe endpoint the sender has no CR_UNSUBSCRIBE_BASE_URL and refuses to start. '
            : '') +
          'Do not deploy for real until both exist.',
      );
    }
  }

  private addOutputs(): void {
    const intakeUrl = this.intake.url.url; // ends with "/"
    new CfnOutput(this, 'IntakeUrl', { value: intakeUrl, description: 'Function URL of the intake' });
    new CfnOutput(this, 'CartWebhookUrl', {
      value: Fn.join('', [intakeUrl, 'webhooks/cart']),
      description: 'Standard Webhooks endpoint for cart events (signed with the secret in webhookSecretParam)',
    });
    new CfnOutput(this, 'ShopifyWebhookUrl', {
      value: Fn.join('', [intakeUrl, 'webhooks/shopify']),
      description: 'Shopify webhook endpoint (answers 404 unless shopifySecretParam is set)',
    });
    if (this.unsubscribe) {
      new CfnOutput(this, 'UnsubscribeUrl', { value: this.unsubscribe.url.url, description: 'One-click unsubscribe endpoint' });
    }
    new CfnOutput(this, 'CartsTableName', { value: this.tables.tables.carts.tableName });
    new CfnOutput(this, 'SendsTableName', { value: this.tables.tables.sends.tableName });
    new CfnOutput(this, 'OptOutsTableName', { value: this.tables.tables.optouts.tableName });
    new CfnOutput(this, 'SchedulerDeadLetterQueueUrl', {
      value: this.scheduling.deadLetterQueue.queueUrl,
      description: 'Wake-ups EventBridge Scheduler could not deliver',
    });
    this.email.identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        value: Fn.join(' ', [record.name, 'CNAME', record.value]),
        description: `Easy DKIM record ${index + 1} of 3 to publish in the sender domain's DNS`,
      });
    });
  }
}
