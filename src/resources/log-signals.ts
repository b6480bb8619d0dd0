/**
 * Log lines that alarms and metric filters match, shared by the code that writes them and the CDK stack that watches
 * for them (`lib/constructs/alarms.ts`), so neither can change the words alone. Plain data: no AWS imports.
 */

/**
 * Written (at error level, with `cartId`, `step`, `messageId` and `recordedMessageId`) once for each second copy of
 * a reminder that reached a shopper: SES accepted a message for a reminder already recorded as sent with another
 * one. docs/operations.md says what to do.
 */
export const SECOND_COPY_LOG_MESSAGE = 'second copy of a reminder reached a shopper';
