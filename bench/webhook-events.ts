/** Signed cart webhooks as Function URL events, for calling the intake handler in-process. */
import { Webhook } from 'standardwebhooks';
import type { FunctionUrlEvent } from '../src/http/function-url';
import { LOCAL_SECRETS } from '../src/local/system';

export interface CartItemBody {
  readonly title: string;
  readonly quantity: number;
  readonly unitPrice: string;
}

/** The `data` of a `cart.updated` event in our webhook format (docs/webhooks.md). */
export interface CartBody {
  readonly id: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly items: readonly CartItemBody[];
  readonly total: string;
  readonly currency: 'USD';
  readonly returnUrl: string;
  readonly timeZone?: string;
  readonly savedLink?: boolean;
  readonly marketingConsent?: boolean;
}

export function cartUpdated(at: number, cart: CartBody): Record<string, unknown> {
  return { type: 'cart.updated', timestamp: new Date(at).toISOString(), data: cart };
}

export function cartCheckedOut(
  at: number,
  cartId: string,
  email: string | undefined,
  total: string,
): Record<string, unknown> {
  return {
    type: 'cart.checked_out',
    timestamp: new Date(at).toISOString(),
    data: { id: cartId, ...(email ? { email } : {}), total, currency: 'USD' },
  };
}

const signer = new Webhook(LOCAL_SECRETS.webhook);

/**
 * The Function URL event Lambda would hand the intake for this delivery, signed now (the signature's replay window
 * is checked against the wall clock, whatever the simulated time).
 */
export function signedDelivery(payload: Record<string, unknown>, deliveryId: string): FunctionUrlEvent {
  const body = JSON.stringify(payload);
  const signedAt = new Date();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
    'webhook-signature': signer.sign(deliveryId, signedAt, body),
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/webhooks/cart',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'bench',
      domainName: 'bench.lambda-url.us-east-1.on.aws',
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path: '/webhooks/cart',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'storefront',
      },
      requestId: deliveryId,
      routeKey: '$default',
      stage: '$default',
      time: signedAt.toUTCString(),
      timeEpoch: signedAt.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

/** A few products with prices, so totals fall on both sides of the $100 big-cart line. */
export const CATALOGUE: readonly { title: string; price: number }[] = [
  { title: 'Linen shirt', price: 60 },
  { title: 'Soy candle', price: 20 },
  { title: 'Canvas tote', price: 24 },
  { title: 'Wool throw', price: 85 },
  { title: 'Ceramic mug', price: 16 },
  { title: 'Herb seed kit', price: 12 },
  { title: 'Cotton napkins (set of 4)', price: 28 },
  { title: 'Oak serving board', price: 45 },
];

export function money(amount: number): string {
  return amount.toFixed(2);
}

export function totalOf(items: readonly CartItemBody[]): string {
  return money(items.reduce((sum, item) => sum + item.quantity * Number(item.unitPrice), 0));
}
