/**
 * Parameters for the bulk statements, encoded by hand. node-postgres turns a JS array parameter
 * into an array literal by escaping and quoting every element, which on a batch of thousands of
 * rows costs the stream processor more CPU than Postgres spends running the statement. These
 * encoders produce the same literals (or one JSON document) with a fraction of the work.
 */

/** Characters that force an element of an array literal into double quotes. */
const NEEDS_QUOTES = /[\s,{}"\\]/;

type Scalar = string | number | bigint | boolean | Date | null | undefined;

function element(v: Scalar): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') {
    // Element text as it is when nothing in it is special, which is the case for the ids, times,
    // addresses and numbers these statements carry.
    if (v !== '' && !NEEDS_QUOTES.test(v) && !(v.length === 4 && v.toUpperCase() === 'NULL')) return v;
    return `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/**
 * A Postgres array literal (`{a,b,NULL}`) of scalars, for a `$n::type[]` parameter. Equivalent to
 * what node-postgres would send for the JS array; strings are quoted only when they must be.
 */
export function arrayLiteral(values: readonly Scalar[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i) out += ',';
    out += element(values[i]);
  }
  return `${out}}`;
}

/**
 * JSON values as one JSON array document, for a `jsonb_array_elements($n::jsonb)` in the
 * statement's `ROWS FROM`: one `JSON.stringify` instead of one per row plus escaping each for an
 * array literal. A null (or undefined) value arrives as the JSON `null`.
 */
export function jsonArrayDocument(values: readonly unknown[]): string {
  // JSON.stringify writes an undefined array element as null.
  return JSON.stringify(values);
}
