/**
 * Lambda event filtering, the part the local system needs: a pattern names fields; an array lists the values a field
 * may have, or `{ exists: true | false }`; nested objects reach into the record. A field that is absent (also when a
 * whole parent such as an INSERT's `OldImage` is absent) matches only `{ exists: false }`. Several patterns are OR-ed.
 * See https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html.
 */
export function matchesAnyFilter(patterns: readonly unknown[], record: unknown): boolean {
  return patterns.some((pattern) => matches(pattern, record));
}

function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((rule) => matchesRule(rule, value));
  if (pattern !== null && typeof pattern === 'object') {
    const fields = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    return Object.entries(pattern).every(([key, inner]) => matches(inner, fields[key]));
  }
  throw new Error(`unsupported filter pattern: ${JSON.stringify(pattern)}`);
}

function matchesRule(rule: unknown, value: unknown): boolean {
  if (rule !== null && typeof rule === 'object') {
    if ('exists' in rule && Object.keys(rule).length === 1)
      return (value !== undefined) === (rule as { exists: boolean }).exists;
    throw new Error(`unsupported filter rule: ${JSON.stringify(rule)}`);
  }
  return value !== undefined && (Array.isArray(value) ? value.includes(rule) : value === rule);
}
