import type { ReminderStep } from '../cart/reminder-step';

/**
 * The store's voice, as the voice doc sets it: one template per reminder step, the saved-link wording, and a few
 * lines describing the voice for the one polished sentence.
 *
 * Template text may use these placeholders, in braces; any other name is an error when the doc is parsed:
 * {first_name} {greeting} {store_name} {item_count} {items_summary} {total}
 * Items, the return button and the unsubscribe footer are laid out by the email itself, never by a template.
 */
export interface StepTemplate {
  readonly subject: string;
  /** The opening line: the only sentence the model may rewrite. */
  readonly opening: string;
  /** Paragraphs after the opening, separated by blank lines. */
  readonly body: string;
  /** Label of the return-to-cart button. */
  readonly button: string;
}

/** Wording used instead of subject and opening when the cart started from a saved link. */
export interface SavedLinkWording {
  readonly subject: string;
  readonly opening: string;
}

export interface Voice {
  readonly templates: Readonly<Record<ReminderStep, StepTemplate>>;
  readonly savedLink: Readonly<Record<ReminderStep, SavedLinkWording>>;
  /** A few sentences on how the store sounds; given to the model as guidance for the opening line. */
  readonly description: string;
  /**
   * The email's fixed words and the language money is written in. Absent in voices stored before they could be set:
   * read as {@link DEFAULT_EMAIL_WORDS} (see {@link emailWordsOf}).
   */
  readonly words?: EmailWords;
}

/**
 * Every word of the reminder that is not the owner's template: the greeting, the labels of the items table, the
 * footer. English by default; the voice doc's "Email words" section sets them (docs/voice-doc.md).
 */
export interface EmailWords {
  /** BCP 47 language tag money and numbers are written in ("en-US", "de-DE"); also the email's `lang`. */
  readonly language: string;
  /** The greeting when the cart has a first name; contains {first_name}. */
  readonly greeting: string;
  /** The greeting when it does not. */
  readonly greetingNoName: string;
  /** Heading of the items in the plain-text part. */
  readonly yourCart: string;
  readonly quantity: string;
  readonly total: string;
  /** Read for {items_summary}: "Linen shirt, Candle ×2 and 3 more", and "your items" for a cart with no titles. */
  readonly and: string;
  /** "{count} more" */
  readonly more: string;
  readonly yourItems: string;
  /** The footer's line saying why the shopper gets this email; may contain {store_name}. */
  readonly why: string;
  /** The words before the unsubscribe link ("No more reminders?"). */
  readonly unsubscribePrompt: string;
  /** The unsubscribe link's own text. */
  readonly unsubscribe: string;
}

/** The fixed words in English, as every reminder used them before they could be set. */
export const DEFAULT_EMAIL_WORDS: EmailWords = {
  language: 'en-US',
  greeting: 'Hi {first_name}',
  greetingNoName: 'Hi there',
  yourCart: 'Your cart',
  quantity: 'Quantity',
  total: 'Total',
  and: 'and',
  more: '{count} more',
  yourItems: 'your items',
  why: "You're getting this because you left items in your cart at {store_name}.",
  unsubscribePrompt: 'No more reminders?',
  unsubscribe: 'Unsubscribe',
};

/** The voice's fixed words, English for a voice stored before they could be set. */
export function emailWordsOf(voice: Pick<Voice, 'words'>): EmailWords {
  return { ...DEFAULT_EMAIL_WORDS, ...voice.words };
}

/** Placeholder names a template may use. */
export const TEMPLATE_PLACEHOLDERS = [
  'first_name',
  'greeting',
  'store_name',
  'item_count',
  'items_summary',
  'total',
] as const;

export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** The seed's voice, in force until the owner's voice doc says otherwise. */
export const DEFAULT_VOICE: Voice = {
  templates: {
    first: {
      subject: 'Still thinking it over?',
      opening: 'Still thinking it over? Your cart is still here: {items_summary}, {total} in all.',
      body:
        "We've kept everything just as you left it. " +
        'If you have a question about any of it, just reply to this email.',
      button: 'Return to your cart',
    },
    second: {
      subject: 'We saved your cart for you',
      opening: '{greeting}, one last nudge: we saved your cart in case you still want it.',
      body:
        "It's all still there, {total} in all. If now isn't the right time, no problem, this is the last " +
        "reminder you'll get about it.",
      button: 'Pick up where you left off',
    },
  },
  savedLink: {
    first: {
      subject: 'Still saving these?',
      opening: 'Still saving these? Your cart is waiting whenever you are: {items_summary}.',
    },
    second: {
      subject: 'Your saved cart is still here',
      opening: '{greeting}, still saving these? Your saved cart is right where you left it.',
    },
  },
  description: 'Warm, brief and plain-spoken, like a shopkeeper who remembers you. No pressure, no exclamation marks.',
  words: DEFAULT_EMAIL_WORDS,
};
