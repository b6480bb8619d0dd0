/** The reminders a cart may get, in order: at most two, ever (the warm first nudge, the slightly warmer second). */
export const REMINDER_STEPS = ['first', 'second'] as const;

/** Which reminder: the warm first nudge or the slightly warmer second. */
export type ReminderStep = (typeof REMINDER_STEPS)[number];
