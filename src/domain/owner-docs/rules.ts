/**
 * The owner's rules, as the rules doc sets them. Durations are whole minutes; the threshold is in minor units
 * of the store currency. Parsing the Google Doc into this shape lives in the rules-doc module.
 */
export interface Rules {
  readonly store: {
    readonly name: string;
    readonly postalAddress: string;
    /** IANA zone used for quiet hours when the shopper's zone is unknown, and for monthly summaries. */
    readonly timeZone: string;
    /** ISO 4217 code of the store currency (the big-cart threshold is in it). */
    readonly currency: string;
  };
  /** A cart whose total is at or above this (minor units) is big. */
  readonly bigCartThresholdMinor: number;
  readonly waits: {
    readonly small: ReminderWaits;
    readonly big: ReminderWaits;
  };
  /** How many reminders a cart may get before the chase gives up: 1 or 2, never more. */
  readonly maxReminders: 1 | 2;
  /** After the last reminder, how long a cart waits before it is given up; also the recovery window. */
  readonly giveUpAfterMinutes: number;
  /** No email is sent between start and end, local time ("21:00" to "08:00"). */
  readonly quietHours: { readonly start: string; readonly end: string };
  /** Skip an address that got any reminder within this many minutes. */
  readonly doNotDisturbMinutes: number;
  /** When true, carts that say the shopper declined marketing are never reminded. */
  readonly requireMarketingConsent: boolean;
  /**
   * When true, only carts that say the shopper agreed to marketing are reminded: unknown consent means no email (the
   * opt-in that EU, UK and German stores need). Absent in rules stored before the setting existed: read as false.
   */
  readonly sendOnlyWithConsent: boolean;
  /**
   * When true (the default), a Stripe Checkout Session is reminded only when the shopper ticked Stripe's promotional
   * consent box (`consent.promotions` of `opt_in`): Stripe's own guide calls cart reminders promotional email that
   * needs consent first. Absent in rules stored before the setting existed: read as true.
   */
  readonly stripeRequiresConsent?: boolean;
  /**
   * When true, every reminder goes to the owner's address instead of the shopper's, marked as a test; every other
   * rule still applies. Absent in rules stored before the setting existed: read as false.
   */
  readonly testMode: boolean;
  /**
   * Share of remindable carts (0-50 %) that get no reminder, chosen by cart id, so the monthly summary can show what
   * the reminders added over carts that came back on their own. Absent in rules stored before the setting: read as 0.
   */
  readonly holdBackPercent?: number;
  /** The owner's stops: pause everything, stop one cart, stop one shopper. Each carries the owner's reason. */
  readonly pause: OwnerStop | undefined;
  readonly stoppedCarts: readonly OwnerStop[];
  readonly stoppedEmails: readonly OwnerStop[];
}

/** One manual stop written in the rules doc. */
export interface OwnerStop {
  /** Cart id or (lower-cased) email; empty for the pause. */
  readonly target: string;
  /** The owner's words, or a default such as "stopped by the owner". */
  readonly reason: string;
  /** 1-based line in the rules doc, for the log. */
  readonly line?: number;
}

/** Minutes to wait before each reminder. The clock restarts from the later of the last change and last reminder. */
export interface ReminderWaits {
  readonly firstMinutes: number;
  readonly secondMinutes: number;
}

/** Never more than two reminders per cart, whatever a rules doc says. */
export const HARD_REMINDER_CAP = 2;

const HOUR = 60;
const DAY = 24 * HOUR;

/** The seed's defaults, in force until the owner's rules doc says otherwise. */
export const DEFAULT_RULES: Rules = {
  store: {
    name: 'Your Store',
    postalAddress: '1 Main Street, Springfield, USA',
    timeZone: 'America/New_York',
    currency: 'USD',
  },
  bigCartThresholdMinor: 100_00,
  waits: {
    small: { firstMinutes: 4 * HOUR, secondMinutes: 24 * HOUR },
    big: { firstMinutes: 1 * HOUR, secondMinutes: 20 * HOUR },
  },
  maxReminders: 2,
  giveUpAfterMinutes: 7 * DAY,
  quietHours: { start: '21:00', end: '08:00' },
  doNotDisturbMinutes: 3 * DAY,
  requireMarketingConsent: false,
  sendOnlyWithConsent: false,
  stripeRequiresConsent: true,
  testMode: false,
  holdBackPercent: 0,
  pause: undefined,
  stoppedCarts: [],
  stoppedEmails: [],
};

/** Stops the operator set from the CLI; they add to the rules doc's own and work the same way. */
export interface OperatorStops {
  readonly pause?: OwnerStop;
  readonly carts: readonly OwnerStop[];
  readonly emails: readonly OwnerStop[];
}

export const NO_OPERATOR_STOPS: OperatorStops = { carts: [], emails: [] };

/** The rules with the operator's stops added to the doc's own (the doc's pause wins when both pause). */
export function withOperatorStops(rules: Rules, stops: OperatorStops): Rules {
  return {
    ...rules,
    pause: rules.pause ?? stops.pause,
    stoppedCarts: [...rules.stoppedCarts, ...stops.carts],
    stoppedEmails: [...rules.stoppedEmails, ...stops.emails],
  };
}

/** Which carts and shoppers are stopped, by id and lower-cased email: what a change of stops is measured against. */
export interface StopSet {
  readonly carts: readonly string[];
  readonly emails: readonly string[];
}

export function stopSet(rules: Pick<Rules, 'stoppedCarts' | 'stoppedEmails'>): StopSet {
  return {
    carts: [...new Set(rules.stoppedCarts.map((stop) => stop.target))].sort(),
    emails: [...new Set(rules.stoppedEmails.map((stop) => stop.target.trim().toLowerCase()))].sort(),
  };
}

/** Small or big, by the rules' threshold. */
export type CartSize = 'small' | 'big';

/** Classifies a cart by its total (minor units). */
export function cartSize(totalMinor: number, rules: Pick<Rules, 'bigCartThresholdMinor'>): CartSize {
  return totalMinor >= rules.bigCartThresholdMinor ? 'big' : 'small';
}
