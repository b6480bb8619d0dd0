import { normaliseEmail } from '../domain/cart/cart';
import type { OperatorStops, OwnerStop } from '../domain/owner-docs/rules';
import type { OwnerDocsStore } from '../ports/owner-docs-store';

/** The operator's commands: the same three stops the rules doc offers, and their undo. */
export type OperatorCommand =
  | { readonly kind: 'pause'; readonly reason: string }
  | { readonly kind: 'resume' }
  | { readonly kind: 'stop-cart'; readonly cartId: string; readonly reason: string }
  | { readonly kind: 'unstop-cart'; readonly cartId: string }
  | { readonly kind: 'stop-shopper'; readonly email: string; readonly reason: string }
  | { readonly kind: 'unstop-shopper'; readonly email: string }
  | { readonly kind: 'list' };

/**
 * Applies one operator command to the stored operator stops and returns them. A stop takes effect at the waiter's
 * and sender's next check; a lifted stop is picked up by the rules loader on its next run, which reopens the carts.
 */
export async function applyOperatorCommand(command: OperatorCommand, store: OwnerDocsStore): Promise<OperatorStops> {
  const stops = await store.operatorStops();
  const reason = (text: string) => `${text.trim() || 'stopped by the operator'} (operator)`;
  const without = (list: readonly OwnerStop[], target: string) => list.filter((stop) => stop.target !== target);
  let next: OperatorStops;
  switch (command.kind) {
    case 'list':
      return stops;
    case 'pause':
      next = { ...stops, pause: { target: '', reason: reason(command.reason) } };
      break;
    case 'resume':
      next = { carts: stops.carts, emails: stops.emails };
      break;
    case 'stop-cart':
      next = {
        ...stops,
        carts: [...without(stops.carts, command.cartId), { target: command.cartId, reason: reason(command.reason) }],
      };
      break;
    case 'unstop-cart':
      next = { ...stops, carts: without(stops.carts, command.cartId) };
      break;
    case 'stop-shopper':
    case 'unstop-shopper': {
      const email = normaliseEmail(command.email);
      if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
        throw new Error(`"${command.email}" is not an email address`);
      const kept = without(stops.emails, email);
      next = {
        ...stops,
        emails: command.kind === 'stop-shopper' ? [...kept, { target: email, reason: reason(command.reason) }] : kept,
      };
      break;
    }
  }
  await store.saveOperatorStops(next);
  return next;
}
