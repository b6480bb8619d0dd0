import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { reminderMessage, type ReminderRequest } from '../../ports/messages';
import type { ReminderQueue } from '../../ports/reminder-queue';

/** Hands a reminder to the sender Lambda with an asynchronous (Event) invoke: Lambda queues and retries it. */
export class LambdaReminderQueue implements ReminderQueue {
  constructor(
    private readonly client: LambdaClient,
    private readonly senderArn: string,
  ) {}

  async handOff(request: ReminderRequest): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.senderArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(
          JSON.stringify(reminderMessage({ cartId: request.cartId, step: request.step })),
        ),
      }),
    );
  }
}
