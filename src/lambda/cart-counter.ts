/** Lambda entry of the cart counter: batches of the cr-carts change stream become the monthly cart counters. */
import { awsEntry } from '../composition/aws/root';
import { cartCounterFunction } from '../composition/functions';
import { cartCounterEnvSchema } from '../composition/aws/environment';

export const handler = awsEntry('cart-counter', cartCounterEnvSchema, {}, ({ platform }) =>
  cartCounterFunction(platform),
);
