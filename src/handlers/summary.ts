import * as z from 'zod';
import { sendMonthlySummary, type SummaryDeps } from '../use-cases/monthly-summary';

/** What the monthly schedule sends (nothing) or an operator may (`{"month": "2026-10"}` to send that month again). */
export const summaryRequestSchema = z
  .object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM').optional() })
  .nullish();

/** The monthly summary: on the 1st (store time), email the owner last month's numbers, or the month asked for. */
export function createSummaryHandler(deps: SummaryDeps): (event?: unknown) => Promise<{ month: string; messageId: string }> {
  return async (event) => {
    const parsed = summaryRequestSchema.safeParse(event);
    // An operator asking for a month that is not one hears so, rather than getting last month's summary instead.
    if (!parsed.success) throw new Error(`summary request not understood: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const month = parsed.data?.month;
    const { messageId, month: sent } = await sendMonthlySummary(month ? { month } : {}, deps);
    return { month: sent, messageId };
  };
}
