import * as z from 'zod';
import { sendMonthlySummary, type SummaryDeps } from '../use-cases/monthly-summary';
import { runStoreJobIfDue } from '../use-cases/run-store-job';

/**
 * What the hourly schedule sends (`{"scheduled": "<its scheduled time>"}`) or an operator may (`{"month": "2026-10"}`
 * to send that month again; nothing for last month now).
 */
export const summaryRequestSchema = z
  .object({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM')
      .optional(),
    scheduled: z.iso.datetime({ offset: true, error: "expected the schedule's ISO time" }).optional(),
  })
  .nullish();

/**
 * The monthly summary: ticked every hour, it emails the owner last month's numbers at 08:00 on the 1st in the
 * store's zone (the rules doc's), or the month an operator asks for, at once.
 */
export function createSummaryHandler(
  deps: SummaryDeps,
): (event?: unknown) => Promise<{ month: string; messageId: string } | { notDue: string }> {
  return async (event) => {
    const parsed = summaryRequestSchema.safeParse(event);
    // An operator asking for a month that is not one hears so, rather than getting last month's summary instead.
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`summary request not understood: ${problems}`);
    }
    const { month, scheduled } = parsed.data ?? {};
    const send = async () => {
      const { messageId, month: sent } = await sendMonthlySummary(month ? { month } : {}, deps);
      return { month: sent, messageId };
    };
    if (!scheduled || month) return send();
    const tick = await runStoreJobIfDue('monthly-summary', new Date(scheduled), deps, send);
    return tick.ran ? tick.result : { notDue: tick.reason };
  };
}
