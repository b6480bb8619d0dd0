/** The owner's optional hold-back: which carts get no reminder, so the summary can compare. */
import { createHash } from 'node:crypto';

/** Hold-back buckets: 0.01 % each, so "Hold back: 12.5%" is exact. */
const BUCKETS = 10_000;

/**
 * Whether a cart falls in the owner's hold-back share: a hash of its id picks one of 10,000 buckets, the first
 * `percent` % of them are held back. The same cart always gets the same answer (retries, redeliveries, the recount),
 * and the choice cannot depend on anything about the shopper, which is what makes the comparison fair.
 */
export function isHeldBack(cartId: string, percent: number | undefined): boolean {
  if (percent === undefined || !(percent > 0)) return false;
  const bucket = createHash('sha256').update(`hold-back\n${cartId}`).digest().readUInt32BE(0) % BUCKETS;
  return bucket < Math.round(percent * (BUCKETS / 100));
}
