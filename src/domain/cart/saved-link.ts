/** Query parameter a storefront adds to a saved-cart link so reminders can say "still saving these?". */
export const SAVED_LINK_PARAM = 'cr_saved';

/** True when a URL carries the saved-link marker (`?cr_saved=1`). Unparseable URLs carry nothing. */
export function hasSavedLinkMarker(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const value = new URL(url, 'https://placeholder.invalid').searchParams.get(SAVED_LINK_PARAM);
    return value === '1' || value === 'true';
  } catch {
    return false;
  }
}
