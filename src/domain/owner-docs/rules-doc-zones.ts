/** Time zones owners write that name no place (EST, Etc/GMT+5), and what to write instead. */
import { IANAZone } from 'luxon';
import { quote } from './doc-text';

/** Abbreviations and fixed-offset zones owners write, with the place whose clock they mean. */
const PLACE_FOR_ZONE: Readonly<Record<string, string>> = {
  EST: 'America/New_York',
  EDT: 'America/New_York',
  ET: 'America/New_York',
  EASTERN: 'America/New_York',
  'EASTERN TIME': 'America/New_York',
  'US/EASTERN': 'America/New_York',
  EST5EDT: 'America/New_York',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  CT: 'America/Chicago',
  CENTRAL: 'America/Chicago',
  'CENTRAL TIME': 'America/Chicago',
  CST6CDT: 'America/Chicago',
  MST: 'America/Denver (or America/Phoenix in Arizona, which keeps standard time all year)',
  MDT: 'America/Denver',
  MT: 'America/Denver',
  MOUNTAIN: 'America/Denver',
  'MOUNTAIN TIME': 'America/Denver',
  MST7MDT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  PT: 'America/Los_Angeles',
  PACIFIC: 'America/Los_Angeles',
  'PACIFIC TIME': 'America/Los_Angeles',
  PST8PDT: 'America/Los_Angeles',
  AKST: 'America/Anchorage',
  AKDT: 'America/Anchorage',
  HST: 'Pacific/Honolulu',
  GMT: 'Europe/London',
  BST: 'Europe/London',
  GMT0: 'Europe/London',
  'GMT+0': 'Europe/London',
  'GMT-0': 'Europe/London',
  GREENWICH: 'Europe/London',
  UK: 'Europe/London',
  GB: 'Europe/London',
  WET: 'Europe/Lisbon',
  CET: 'Europe/Berlin (or your own city, such as Europe/Paris)',
  CEST: 'Europe/Berlin (or your own city, such as Europe/Paris)',
  MET: 'Europe/Berlin (or your own city, such as Europe/Paris)',
  EET: 'Europe/Athens (or your own city, such as Europe/Helsinki)',
  EEST: 'Europe/Athens (or your own city, such as Europe/Helsinki)',
  IST: 'Asia/Kolkata (or Europe/Dublin for Ireland)',
  JST: 'Asia/Tokyo',
  AEST: 'Australia/Sydney',
  AEDT: 'Australia/Sydney',
  NZST: 'Pacific/Auckland',
  NZDT: 'Pacific/Auckland',
  UCT: 'UTC',
  UNIVERSAL: 'UTC',
  ZULU: 'UTC',
  Z: 'UTC',
};

/** The one zone without a place that is accepted: UTC claims no daylight saving, so nobody is misled by it. */
const UTC_NAMES = new Set(['UTC', 'ETC/UTC']);

/**
 * Why a zone is refused although (or whether or not) the time-zone database knows it: it names no place, so it
 * lacks the daylight-saving rules of the place the owner means (EST is UTC−5 all year: quiet hours an hour off all
 * summer in New York). Undefined for a zone of a real place ("America/New_York") and for UTC.
 */
export function zoneWithoutPlace(zone: string): string | undefined {
  const key = zone.trim().replace(/\s+/g, ' ').toUpperCase();
  if (UTC_NAMES.has(key)) return undefined;
  const noPlace =
    'names no place, so it lacks the daylight-saving rules of where you are (quiet hours would be an hour ' +
    'off for part of the year)';
  const suggestion = PLACE_FOR_ZONE[key] ?? PLACE_FOR_ZONE[key.replace(/^ETC\//, '')];
  if (suggestion !== undefined) {
    return IANAZone.isValidZone(zone)
      ? `${quote(zone)} ${noPlace}; write ${suggestion}`
      : `that is not a time zone name; for this one write ${suggestion}`;
  }
  const offset = /^ETC\/GMT([+-])(\d{1,2})$/.exec(key);
  if (offset !== null) {
    // The tz database's Etc signs are reversed: Etc/GMT+5 is five hours behind UTC.
    const utc = `UTC${offset[1] === '+' ? '−' : '+'}${offset[2]}`;
    return (
      `${quote(zone)} is a fixed offset (${utc} all year) and ${noPlace}; write your city's zone, such as ` +
      `America/New_York or Europe/Berlin`
    );
  }
  const placeless =
    key.startsWith('ETC/') || key.startsWith('SYSTEMV/') || (!key.includes('/') && IANAZone.isValidZone(zone));
  if (!placeless) return undefined;
  if (key.startsWith('ETC/') || key.startsWith('SYSTEMV/'))
    return `${quote(zone)} ${noPlace}; write your city's zone, such as America/New_York`;
  // Short names ("Japan", "AST") may stand for a real place or, in some systems, for a different one: ask for the
  // Area/City name, suggesting what this system would have read.
  const canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  const example = canonical.includes('/') && !/^Etc\//.test(canonical) ? canonical : 'America/New_York';
  return (
    `${quote(zone)} is a short name, not a place; write the place's Area/City name (such as ${example}) so ` +
    `daylight saving follows the place`
  );
}
