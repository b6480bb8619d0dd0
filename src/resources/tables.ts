/**
 * The one definition of every DynamoDB table, read by the CDK stack (production) and by the local system and
 * tests (DynamoDB Local), so names, keys, indexes and the TTL attribute cannot drift apart.
 * Plain data: no AWS imports, so both sides can map it to their own API.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** ALL copies every attribute; KEYS_ONLY keeps the index small where only the key is needed. */
  readonly projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  /** Production table name. */
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Epoch-seconds attribute DynamoDB uses to expire rows; absent for data kept until deleted. */
  readonly ttlAttribute?: string;
  /** Holds shopper data that must survive a stack deletion. */
  readonly retainOnDelete: boolean;
  /** The change stream the table publishes, if any (each record carries the row before and after the write). */
  readonly stream?: 'NEW_AND_OLD_IMAGES';
}

/** One row per cart: the newest snapshot and the chase state. */
export const CARTS_TABLE = {
  name: 'cr-carts',
  partitionKey: { name: 'cartId', type: 'S' },
  indexes: [
    // An order from an email ends that shopper's other open carts.
    {
      indexName: 'byEmail',
      partitionKey: { name: 'email', type: 'S' },
      sortKey: { name: 'lastChangedAt', type: 'S' },
      projection: 'ALL',
    },
    // Shopify orders name the checkout token; match it before the cart token or the email.
    { indexName: 'byCheckoutToken', partitionKey: { name: 'checkoutToken', type: 'S' }, projection: 'KEYS_ONLY' },
  ],
  ttlAttribute: 'expiresAt',
  retainOnDelete: true,
  // The cart counter reads it (src/resources/cart-stream.ts, src/handlers/cart-counter.ts): the monthly cart counts
  // follow from the rows, off the webhook's path.
  stream: 'NEW_AND_OLD_IMAGES',
} as const satisfies TableDefinition;

/**
 * Per cart (partition `cartId`): one claim/record per reminder step (`send#first`, `send#second`), one
 * `copy#<step>#<message id>` per second copy SES accepted (on the record, never counted as a reminder), and the
 * activity log of every decision (`log#<time>#<actor>#<action>`). Partitions that are not carts (cart ids never start
 * with `#`) keep the product at three tables:
 * - `#owner`: the rules loader's last good `rules` and `voice`, the operator's `operator-stops` and the
 *   `applied-stops` the loader has acted on, one `notice#<problem>` per import problem the owner was told about,
 *   `problems#<doc>` for a doc that does not parse (one email per edit, once it is quiet), and the `account-limits`
 *   the doctor read from SES and Lambda (the morning release's pace).
 * - `#nudge#<email>`: one per shopper, the newest reminder claimed or sent to the address (do-not-disturb).
 * - `#stats`: the monthly summary's counters, one `month#<YYYY-MM>` item per store month: the cart counter adds the
 *   cart counts from the cr-carts stream; the waiter, sender, unsubscribe and SES feedback add what they decide.
 * - `#release`: one `at#<instant>` counter per morning release of reminders quiet hours held (each held reminder's
 *   place in it).
 */
export const SENDS_TABLE = {
  name: 'cr-sends',
  partitionKey: { name: 'cartId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  // Do-not-disturb reads the shopper's own `#nudge#<email>` item, consistently: no index.
  indexes: [],
  ttlAttribute: 'expiresAt',
  retainOnDelete: true,
} as const satisfies TableDefinition;

/** The suppression list: who asked not to be emailed, for one cart or everything. Kept until deleted. */
export const OPTOUTS_TABLE = {
  name: 'cr-optouts',
  partitionKey: { name: 'email', type: 'S' },
  sortKey: { name: 'scope', type: 'S' },
  indexes: [],
  retainOnDelete: true,
} as const satisfies TableDefinition;

export const TABLES = [CARTS_TABLE, SENDS_TABLE, OPTOUTS_TABLE] as const satisfies readonly TableDefinition[];

/** Table names in force; a prefix keeps test runs and local data apart from each other. */
export interface TableNames {
  readonly carts: string;
  readonly sends: string;
  readonly optouts: string;
}

export function tableNames(prefix = ''): TableNames {
  return {
    carts: `${prefix}${CARTS_TABLE.name}`,
    sends: `${prefix}${SENDS_TABLE.name}`,
    optouts: `${prefix}${OPTOUTS_TABLE.name}`,
  };
}
