/** The local system's `/_local/...` routes: the test clock's controls and read-only views of carts and jobs. */
import type { ControllableClock } from '../adapters/local/controllable-clock';
import type { LocalScheduler } from '../adapters/local/local-scheduler';
import { parseDuration } from '../domain/owner-docs/doc-text';
import { errorResponse, type FunctionUrlHandler, HttpError, jsonResponse } from '../http/function-url';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';

/** `/_local/...`: the test-clock controls and read-only views a person or a test uses to drive the demo. */
export function controlRoutes(deps: {
  readonly clock: ControllableClock;
  readonly scheduler: LocalScheduler;
  readonly carts: CartStore;
  readonly activity: ActivityLog;
  advance(ms: number): Promise<{ now: Date; fired: string[] }>;
  runImport(): Promise<unknown>;
}): FunctionUrlHandler {
  return async (event) => {
    try {
      const method = event.requestContext.http.method;
      const path = event.rawPath;
      if (path === '/_local/clock' && method === 'GET') {
        return jsonResponse(200, { now: deps.clock.now().toISOString(), aheadByMs: deps.clock.aheadByMs });
      }
      if (path === '/_local/clock/advance' && method === 'POST') {
        const by = event.queryStringParameters?.by;
        if (!by) throw new HttpError(400, 'missing_by', 'Say how far to move the clock: ?by=1h (or 30 min, 2 days).');
        const minutes = parseDuration(by);
        if (!minutes.ok) throw new HttpError(400, 'invalid_by', `by: ${minutes.reason}`);
        const { now, fired } = await deps.advance(minutes.value * 60_000);
        return jsonResponse(200, { now: now.toISOString(), fired });
      }
      if (path === '/_local/import' && method === 'POST') {
        return jsonResponse(200, await deps.runImport());
      }
      if (path === '/_local/schedules' && method === 'GET') {
        return jsonResponse(200, await deps.scheduler.jobs());
      }
      const cartMatch = /^\/_local\/carts\/([^/]+)(\/activity)?$/.exec(path);
      if (cartMatch?.[1] && method === 'GET') {
        const cartId = decodeURIComponent(cartMatch[1]);
        if (cartMatch[2]) return jsonResponse(200, await deps.activity.history(cartId));
        const cart = await deps.carts.get(cartId);
        if (!cart) throw new HttpError(404, 'not_found', 'No such cart.');
        return jsonResponse(200, cart);
      }
      throw new HttpError(
        404,
        'not_found',
        'Local controls: GET /_local/clock, POST /_local/clock/advance?by=1h, POST /_local/import, ' +
          'GET /_local/schedules, GET /_local/carts/{id}, GET /_local/carts/{id}/activity',
      );
    } catch (error) {
      return errorResponse(error);
    }
  };
}
