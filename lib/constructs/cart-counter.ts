import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CART_COUNTER_FILTERS, CART_STREAM_BATCH } from '../../src/resources/cart-stream';
import type { FailedInvocations } from './failed-invocations';
import { functionDefaults, type ReadsOwnerDocsProps } from './function-props';
import { ServiceFunction } from './service-function';

/**
 * How often the mapping retries a batch that failed (the function threw, or reported a record it could not read),
 * and how old a record may get, before its position goes to the failed-invocations queue. Bounded so a record that
 * can never be counted holds up its shard for minutes, not for the stream's whole 24 h retention.
 */
export const CART_STREAM_RETRIES = {
  attempts: CART_STREAM_BATCH.retryAttempts,
  maxRecordAge: Duration.days(1),
} as const;

export interface CartCounterProps extends ReadsOwnerDocsProps {
  /** Where the position of a batch that still failed after its retries goes (alarmed). */
  readonly failedInvocations: FailedInvocations;
}

/**
 * The monthly `cartsSeen` and `cartsWithAddress` counters, off the webhook's path: Lambda reads the cr-carts change
 * stream and hands this function only the writes that can count (`CART_COUNTER_FILTERS`, applied before invocation
 * and billing), up to 100 records or 60 s at a time (`CART_STREAM_BATCH`), so a busy store costs a few invocations a
 * minute rather than one counter write per webhook. The function adds a batch's counts in one transaction on the
 * month rows in cr-sends, in the store's month (the time zone comes from the stored rules).
 *
 * Failure handling: the function reports the first record it cannot read (`ReportBatchItemFailures`), so Lambda
 * retries from there without splitting batches (`bisectBatchOnError` off) and never skips a record silently. After
 * {@link CART_STREAM_RETRIES} the batch's stream position (shard ID and sequence-number range, not the records)
 * goes to the alarmed failed-invocations queue and the shard moves on.
 *
 * Stream permissions are granted by hand on the one stream ARN rather than through `DynamoEventSource`, whose
 * `grantStreamRead` adds `dynamodb:ListStreams` on `*` (see `DataTables.grantStreamRead`).
 */
export class CartCounter extends Construct {
  readonly service: ServiceFunction;
  readonly mapping: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: CartCounterProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Service', {
      ...functionDefaults('cartCounter', props, {}),
      description: 'cart-recovery: counts carts seen and carts with an address from the cr-carts stream',
    });
    // Reads the stored rules (GetItem, for the store's time zone) and adds to the month rows: TransactWriteItems of
    // Update items is authorized as dynamodb:UpdateItem.
    props.tables.grant(this.service, 'sends', ['GetItem', 'UpdateItem']);
    const streamArn = props.tables.grantStreamRead(this.service, 'carts');

    this.mapping = new lambda.EventSourceMapping(this, 'CartStream', {
      target: this.service.function,
      eventSourceArn: streamArn,
      // From the stream's oldest record: writes between the stream's creation and the mapping's count too.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: CART_STREAM_BATCH.size,
      maxBatchingWindow: Duration.seconds(CART_STREAM_BATCH.windowSeconds),
      filters: CART_COUNTER_FILTERS.map((pattern) => lambda.FilterCriteria.filter(pattern)),
      reportBatchItemFailures: true,
      bisectBatchOnError: false,
      retryAttempts: CART_STREAM_RETRIES.attempts,
      maxRecordAge: CART_STREAM_RETRIES.maxRecordAge,
      // Lambda sends the position record with the function's role: it may send to this queue, nothing more.
      onFailure: props.failedInvocations.destination(),
    });
    // Lambda checks the role can read the stream when the mapping is created: create it after the role's policy.
    this.mapping.node.addDependency(this.service.role);
    // No FailedInvocations.capture (async on-failure destination): only the mapping invokes this function, and it
    // invokes synchronously, so an EventInvokeConfig would never apply. The mapping's own on-failure destination above
    // is where its failures go.
  }
}
