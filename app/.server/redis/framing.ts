/**
 * How values are packed into the strings Redis stores and publishes: fields joined by a one-byte
 * separator, the last field taking the rest, so it may hold the separator itself (a ciphertext,
 * a sealed name). What the fields mean is each codec's business.
 */

/**
 * The first `count` fields of a record, the last one keeping any further separators; null when the
 * record has fewer. Cut by `indexOf`, not `split`: a stored message's last field is its whole
 * ciphertext, and every message read passes through here.
 */
export function recordFields(record: string, count: number, separator: string): string[] | null {
  const fields: string[] = [];
  let start = 0;
  for (let field = 0; field < count - 1; field += 1) {
    const end = record.indexOf(separator, start);
    if (end < 0) return null;
    fields.push(record.slice(start, end));
    start = end + 1;
  }
  fields.push(record.slice(start));
  return fields;
}

/**
 * A published body's fields, for bodies short enough to split whole: up to `count`, the last one
 * keeping any further separators (a name may hold them).
 */
export function bodyFields(body: string, count: number, separator: string): string[] {
  const parts = body.split(separator);
  return [...parts.slice(0, count - 1), parts.slice(count - 1).join(separator)];
}
