import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Rules } from '../../domain/owner-docs/rules';
import type { Voice } from '../../domain/owner-docs/voice';
import { NO_OPERATOR_STOPS, type OperatorStops, type StopSet } from '../../domain/owner-docs/rules';
import type { OwnerDocsStore, ProblemNotice, StoredDoc } from '../../ports/owner-docs-store';

/**
 * Owner configuration lives in cr-sends under one reserved partition (`#owner`, never a cart id: cart ids cannot
 * start with `#`), so the product keeps its three tables. Rows: `rules`, `voice`, `operator-stops`, `applied-stops`,
 * `notice#<key>`, `problems#<rules|voice>`.
 */
export const OWNER_PARTITION = '#owner';

/** How long a problem notice is remembered: the same unfixed problem is mailed again after this. */
const NOTICE_DAYS = 30;

export class DynamoDbOwnerDocsStore implements OwnerDocsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  rules(): Promise<StoredDoc<Rules> | undefined> {
    return this.getDoc<Rules>('rules');
  }

  voice(): Promise<StoredDoc<Voice> | undefined> {
    return this.getDoc<Voice>('voice');
  }

  saveRules(doc: StoredDoc<Rules>): Promise<void> {
    return this.put('rules', { ...doc });
  }

  saveVoice(doc: StoredDoc<Voice>): Promise<void> {
    return this.put('voice', { ...doc });
  }

  async operatorStops(): Promise<OperatorStops> {
    const item = await this.get('operator-stops');
    return item
      ? {
          pause: item.pause as OperatorStops['pause'],
          carts: (item.carts ?? []) as OperatorStops['carts'],
          emails: (item.emails ?? []) as OperatorStops['emails'],
        }
      : NO_OPERATOR_STOPS;
  }

  async saveOperatorStops(stops: OperatorStops): Promise<void> {
    await this.put('operator-stops', { ...stops });
  }

  async appliedStops(): Promise<StopSet | undefined> {
    const item = await this.get('applied-stops');
    return item ? { carts: (item.carts ?? []) as string[], emails: (item.emails ?? []) as string[] } : undefined;
  }

  async saveAppliedStops(stops: StopSet): Promise<void> {
    await this.put('applied-stops', { carts: [...stops.carts], emails: [...stops.emails] });
  }

  async firstNotice(problemKey: string, at: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            cartId: OWNER_PARTITION,
            sk: `notice#${problemKey}`,
            at: at.toISOString(),
            expiresAt: Math.floor(at.getTime() / 1000) + NOTICE_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async problemNotice(kind: 'rules' | 'voice'): Promise<ProblemNotice | undefined> {
    const item = await this.get(`problems#${kind}`);
    return item
      ? { sourceHash: String(item.sourceHash), since: String(item.since), notified: item.notified === true }
      : undefined;
  }

  async saveProblemNotice(kind: 'rules' | 'voice', notice: ProblemNotice | undefined): Promise<void> {
    if (notice === undefined) {
      await this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: { cartId: OWNER_PARTITION, sk: `problems#${kind}` } }),
      );
    } else {
      await this.put(`problems#${kind}`, { ...notice });
    }
  }

  private async getDoc<T>(sk: string): Promise<StoredDoc<T> | undefined> {
    const item = await this.get(sk);
    return item
      ? { value: item.value as T, sourceHash: String(item.sourceHash), savedAt: String(item.savedAt) }
      : undefined;
  }

  private async get(sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { cartId: OWNER_PARTITION, sk }, ConsistentRead: true }),
    );
    return Item;
  }

  private async put(sk: string, attributes: Record<string, unknown>): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { cartId: OWNER_PARTITION, sk, ...attributes } }),
    );
  }
}
