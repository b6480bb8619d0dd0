/**
 * `npm start`: the whole product on this machine, on embedded defaults. Needs Node and Java 17+, nothing else.
 * Environment: PORT (default 3000), CR_DATA_DIR (default .local).
 */
import { consoleLog } from '../adapters/local/console-log';
import { EXAMPLE_DOCS, LOCAL_SECRETS, startLocalSystem } from './system';

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}

const log = consoleLog();
const system = await startLocalSystem({
  port,
  dataDir: process.env.CR_DATA_DIR ?? '.local',
  log,
  pollSchedules: true,
}).catch((error: unknown) => {
  console.error(`Could not start the local system: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(
  `
cart-recovery is running locally
  Webhooks   POST ${system.url}/webhooks/cart      (our format, Standard Webhooks signature)
             POST ${system.url}/webhooks/shopify   (Shopify checkouts/create, checkouts/update, orders/create)
             POST ${system.url}/webhooks/stripe    (Stripe checkout.session.expired, .completed, ` +
    `.async_payment_succeeded)
  Secrets    cart webhook: ${LOCAL_SECRETS.webhook}
             shopify:      ${LOCAL_SECRETS.shopify}
             stripe:       ${LOCAL_SECRETS.stripe}   (Stripe-Signature header, t=...,v1=...)
  Stripe API ${system.url}/v1/   a stand-in for line items and Payment Links; give it a session's items with
             POST ${system.url}/_local/stripe/sessions/{id}/line_items (npm run demo -- --stripe does)
  Outbox     ${system.url}/outbox/   every reminder "sent", rendered, with a one-click unsubscribe button
  Clock      GET  ${system.url}/_local/clock       now: ${system.clock.now().toISOString()}
             POST ${system.url}/_local/clock/advance?by=1h   (moves simulated time, fires what falls due)
  Look       GET  ${system.url}/_local/carts/{cartId}[/activity]   GET ${system.url}/_local/schedules
  Owner docs ${EXAMPLE_DOCS.rules}
             ${EXAMPLE_DOCS.voice}
  Data       ${system.dataDir} (DynamoDB Local at ${system.dynamoEndpoint}; kept across restarts)
  Stand-ins  DynamoDB Local for DynamoDB; a DynamoDB-backed job table for EventBridge Scheduler and async
             invokes; a file outbox for SES; no Bedrock (emails use the voice doc's own opening line, as
             production does when the model is unavailable). The handlers are the Lambdas' own code.
Ctrl-C stops everything.
`,
);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: stopping`);
  system.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
