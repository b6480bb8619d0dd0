import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Duration, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type DeployConfig, RETIRED_KEYS } from '../src/composition/aws/deploy-config';
import { Alarms } from './constructs/alarms';
import { CartCounter } from './constructs/cart-counter';
import { DataTables } from './constructs/data-tables';
import { Email } from './constructs/email';
import { FailedInvocations } from './constructs/failed-invocations';
import { Importer } from './constructs/importer';
import { Intake } from './constructs/intake';
import { MonthlySummary } from './constructs/monthly-summary';
import { RulesLoader } from './constructs/rules-loader';
import { Scheduling } from './constructs/scheduling';
import { Sender } from './constructs/sender';
import { SesFeedback } from './constructs/ses-feedback';
import {
  FUNCTION_NAMES,
  type FunctionRole,
  functionArnForName,
  type ServiceFunction,
} from './constructs/service-function';
import { Unsubscribe } from './constructs/unsubscribe';
import { Waiter } from './constructs/waiter';

const entry = (file: string) => fileURLToPath(new URL(`../src/lambda/${file}`, import.meta.url));

/** Lambda entry files, each exporting `handler`. */
export const HANDLER_ENTRIES: Readonly<Record<FunctionRole, string>> = {
  intake: entry('intake.ts'),
  waiter: entry('waiter.ts'),
  sender: entry('sender.ts'),
  unsubscribe: entry('unsubscribe.ts'),
  rulesLoader: entry('rules-loader.ts'),
  importer: entry('importer.ts'),
  sesEvents: entry('ses-events.ts'),
  summary: entry('summary.ts'),
  cartCounter: entry('cart-counter.ts'),
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
 * The whole production system in one stack: tables, scheduling, SES and its feedback loop, the functions (the cart
 * counter on the cr-carts stream among them), the failed-invocations queue and the alarms.
 *
 * Two functions depend on configuration: the rules loader exists only when both `rulesDocId` and `voiceDocId` are
 * set (the stack warns otherwise: nothing can be sent before it has accepted the docs), and the nightly importer
 * only when `exportSheetId` is set.
 */
export class CartRecoveryStack extends Stack {
  readonly tables: DataTables;
  readonly scheduling: Scheduling;
  readonly email: Email;
  readonly failedInvocations: FailedInvocations;
  readonly intake: Intake;
  readonly waiter: Waiter;
  readonly sender: Sender;
  readonly unsubscribe: Unsubscribe;
  readonly sesFeedback: SesFeedback;
  readonly summary: MonthlySummary;
  readonly cartCounter: CartCounter;
  readonly rulesLoader?: RulesLoader;
  readonly importer?: Importer;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: CartRecoveryStackProps) {
    super(scope, id, {
      description: 'cart-recovery: friendly abandoned-cart reminders (webhooks, EventBridge Scheduler, SES, Bedrock)',
      ...props,
    });
    const { config } = props;
    const entries = { ...HANDLER_ENTRIES, ...props.entries };
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const common = { retentionDays: config.retentionDays, logRetention };
    const docsCache = config.docsCacheSeconds !== undefined ? { docsCacheSeconds: config.docsCacheSeconds } : {};
    // Opt-in only: a reservation fails the deploy on an account whose concurrency quota is 10.
    const urlCap =
      config.publicUrlConcurrency !== undefined ? { reservedConcurrency: config.publicUrlConcurrency } : {};
    Tags.of(this).add('app', 'cart-recovery');

    this.tables = new DataTables(this, 'Data');
    const tables = this.tables;
    this.failedInvocations = new FailedInvocations(this, 'FailedInvocations');
    // One queue for everything that got lost (Scheduler dead letters too), watched by one alarm.
    this.scheduling = new Scheduling(this, 'Scheduling', {
      waiterArn: functionArnForName(this, FUNCTION_NAMES.waiter),
      deadLetterQueue: this.failedInvocations.queue,
    });
    this.email = new Email(this, 'Email', { senderDomain: config.senderDomain });

    this.waiter = new Waiter(this, 'Waiter', {
      ...common,
      tables,
      entry: entries.waiter,
      scheduling: this.scheduling,
      ...docsCache,
    });
    this.intake = new Intake(this, 'Intake', {
      ...common,
      tables,
      entry: entries.intake,
      scheduling: this.scheduling,
      webhookSecretParam: config.webhookSecretParam,
      ...(config.shopifySecretParam ? { shopifySecretParam: config.shopifySecretParam } : {}),
      ...(config.stripeSecretParam && config.stripeKeyParam
        ? { stripe: { secretParam: config.stripeSecretParam, keyParam: config.stripeKeyParam } }
        : {}),
      ...urlCap,
      ...docsCache,
    });
    this.unsubscribe = new Unsubscribe(this, 'Unsubscribe', {
      ...common,
      tables,
      entry: entries.unsubscribe,
      unsubscribeKeyParam: config.unsubscribeKeyParam,
      ...urlCap,
      ...docsCache,
    });
    this.sender = new Sender(this, 'Sender', {
      ...common,
      tables,
      entry: entries.sender,
      scheduling: this.scheduling,
      email: this.email,
      bedrock: config.bedrock,
      fromAddress: config.fromAddress,
      replyTo: config.replyTo,
      ownerEmail: config.ownerEmail,
      unsubscribeKeyParam: config.unsubscribeKeyParam,
      unsubscribeBaseUrl: this.unsubscribe.url.url,
      secondsPerSend: config.senderSecondsPerSend,
      ...docsCache,
    });
    this.waiter.handOffTo(this.sender.service.function);
    // Scheduler invokes the waiter, and the waiter (or a deferral schedule) the sender, asynchronously: a reminder
    // that still fails after Lambda's two retries lands in the failed-invocations queue instead of vanishing.
    this.failedInvocations.capture(this.waiter.service);
    this.failedInvocations.capture(this.sender.service);

    this.sesFeedback = new SesFeedback(this, 'SesFeedback', {
      ...common,
      tables,
      entry: entries.sesEvents,
      email: this.email,
      failedInvocations: this.failedInvocations,
      ...docsCache,
    });

    const google = {
      ...common,
      tables,
      scheduling: this.scheduling,
      email: this.email,
      googleKeyParam: config.googleKeyParam,
      ownerEmail: config.ownerEmail,
      fromAddress: config.fromAddress,
    };
    if (config.rulesDocId && config.voiceDocId) {
      this.rulesLoader = new RulesLoader(this, 'RulesLoader', {
        ...google,
        entry: entries.rulesLoader,
        rulesDocId: config.rulesDocId,
        voiceDocId: config.voiceDocId,
        refreshEvery: Duration.minutes(config.docsRefreshMinutes),
        watchDocs: config.alarmSet === 'full',
      });
    }
    if (config.exportSheetId) {
      this.importer = new Importer(this, 'Importer', {
        ...google,
        entry: entries.importer,
        exportSheetId: config.exportSheetId,
        ...docsCache,
      });
    }

    this.summary = new MonthlySummary(this, 'MonthlySummary', {
      ...common,
      tables,
      entry: entries.summary,
      scheduling: this.scheduling,
      email: this.email,
      ownerEmail: config.ownerEmail,
      fromAddress: config.fromAddress,
      ...docsCache,
    });

    // A failed summary lands in the alarmed failed-invocations queue: no alarm of its own for a monthly job.
    this.failedInvocations.capture(this.summary.service);

    // The monthly cart counters, from the cr-carts stream; batches that keep failing land in the same queue.
    this.cartCounter = new CartCounter(this, 'CartCounter', {
      ...common,
      tables,
      entry: entries.cartCounter,
      failedInvocations: this.failedInvocations,
      ...docsCache,
    });

    const functions: Record<string, ServiceFunction> = {
      Waiter: this.waiter.service,
      Sender: this.sender.service,
      SesEvents: this.sesFeedback.service,
      CartCounter: this.cartCounter.service,
      ...(this.rulesLoader ? { RulesLoader: this.rulesLoader.service } : {}),
      ...(this.importer ? { Importer: this.importer.service } : {}),
    };
    this.alarms = new Alarms(this, 'Alarms', {
      set: config.alarmSet,
      functions,
      urlFunctions: { Intake: this.intake.service, Unsubscribe: this.unsubscribe.service },
      urlRequestAlarm: config.publicUrlRequestAlarm,
      deadLetterQueue: this.scheduling.deadLetterQueue,
      failedInvocationsQueue: this.failedInvocations.queue,
      secondCopyLogs: [this.sender.service.logGroup, this.sesFeedback.service.logGroup],
      ...(this.rulesLoader?.docsUnavailable
        ? { docsUnavailable: { metric: this.rulesLoader.docsUnavailable, refreshEvery: this.rulesLoader.refreshEvery } }
        : {}),
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    this.addOutputs();
    this.warn(config);
  }

  private warn(config: DeployConfig): void {
    if (config.placeholders.length > 0) {
      Annotations.of(this).addWarningV2(
        'cart-recovery:placeholder-config',
        `Demo placeholders in use for ${config.placeholders.join(', ')} (e.g. senderDomain=${config.senderDomain}). ` +
          'Fine for `cdk synth`; do NOT deploy this. Set real values in cdk.json context or with -c ' +
          'key=value (docs/deploy.md).',
      );
    }
    if (!this.rulesLoader) {
      Annotations.of(this).addWarningV2(
        'cart-recovery:no-rules-loader',
        'rulesDocId and voiceDocId are not set, so the rules loader is left out. Nothing can be sent without ' +
          'accepted rules: every webhook is refused with 500 and every wake-up fails with "no rules doc has been ' +
          'accepted yet". Set both Google Doc IDs (docs/deploy.md) before deploying for real.',
      );
    }
    if (config.retired.length > 0) {
      Annotations.of(this).addWarningV2(
        'cart-recovery:retired-config',
        `No longer used, ignored: ${config.retired.map((key) => `${key} (${RETIRED_KEYS[key]})`).join('; ')}. ` +
          'Remove them from cdk.json context or the environment.',
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
    new CfnOutput(this, 'StripeWebhookUrl', {
      value: Fn.join('', [intakeUrl, 'webhooks/stripe']),
      description:
        'Stripe webhook endpoint for checkout.session.* events (answers 404 unless stripeSecretParam and ' +
        'stripeKeyParam are set)',
    });
    new CfnOutput(this, 'UnsubscribeUrl', {
      value: this.unsubscribe.url.url,
      description: 'One-click unsubscribe endpoint',
    });
    new CfnOutput(this, 'CartsTableName', { value: this.tables.tables.carts.tableName });
    new CfnOutput(this, 'SendsTableName', { value: this.tables.tables.sends.tableName });
    new CfnOutput(this, 'OptOutsTableName', { value: this.tables.tables.optouts.tableName });
    new CfnOutput(this, 'SchedulerDeadLetterQueueUrl', {
      value: this.scheduling.deadLetterQueue.queueUrl,
      description: 'Wake-ups and job ticks EventBridge Scheduler could not deliver',
    });
    new CfnOutput(this, 'FailedInvocationsQueueUrl', {
      value: this.failedInvocations.queue.queueUrl,
      description:
        'Waiter, sender, SES-feedback and summary invocations and cart-stream batches that failed after retries; ' +
        'SES events EventBridge could not deliver',
    });
    if (this.alarms.topic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    this.email.identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        value: Fn.join(' ', [record.name, 'CNAME', record.value]),
        description: `Easy DKIM record ${index + 1} of 3 to publish in the sender domain's DNS`,
      });
    });
  }
}
