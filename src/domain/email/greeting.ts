import { DEFAULT_EMAIL_WORDS, type EmailWords } from '../owner-docs/voice';

/** A first name longer than this is not a name the copy should repeat. */
const MAX_NAME_LENGTH = 40;

/**
 * "Hi Sam" from the cart's first name, else "Hi there". A name that looks like something else (an email typed
 * into the name field, digits, a paragraph) is not used: the copy never pretends to know more than the cart said.
 */
export function greetingFor(
  firstName: string | undefined,
  words: Pick<EmailWords, 'greeting' | 'greetingNoName'> = DEFAULT_EMAIL_WORDS,
): string {
  const name = firstName?.trim().replace(/\s+/g, ' ') ?? '';
  const plausible = name !== '' && name.length <= MAX_NAME_LENGTH && !/[@\d<>{}]|:\/\//.test(name);
  // A function replacement, so a "$" in a name is never read as a replacement pattern.
  return plausible ? words.greeting.replace('{first_name}', () => name) : words.greetingNoName;
}
