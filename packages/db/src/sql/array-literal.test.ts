import { afterAll, describe, expect, it } from 'vitest';
import { arrayLiteral, jsonArrayDocument } from './array-literal.js';
import { createSqlPool } from './pool.js';

const pool = createSqlPool(process.env.WARDEN_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', 1);
afterAll(() => pool.end());

describe('bulk statement parameters', () => {
  it('reach Postgres as exactly the values given, whatever the text holds', async () => {
    const texts = ['plain', '', 'NULL', 'null', 'a,b', '{x}', 'say "hi"', 'back\\slash', ' padded ', 'tab\there', 'line\nbreak', 'ünïcødé', null];
    const { rows } = await pool.query<{ a: (string | null)[] }>('SELECT $1::text[] AS a', [arrayLiteral(texts)]);
    expect(rows[0]!.a).toEqual(texts);
  });

  it('carry ids, times, numbers, addresses and flags as their types', async () => {
    const { rows } = await pool.query<{ u: string[]; t: string[]; n: string[]; i: string[]; b: boolean[] }>(
      `SELECT $1::uuid[]::text[] AS u, ARRAY(SELECT to_char(x AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM unnest($2::timestamptz[]) x) AS t,
              $3::bigint[]::text[] AS n, $4::inet[]::text[] AS i, $5::bool[] AS b`,
      [
        arrayLiteral(['6f1c1f43-7a57-4a39-9d1e-0f6bb1f0d2a1']),
        arrayLiteral(['2026-01-02T03:04:05.678Z', new Date('2026-01-02T03:04:05.679Z')]),
        arrayLiteral([0, 9_007_199_254_740_991, -3]),
        arrayLiteral(['10.0.0.1', 'fe80::1', '::ffff:10.0.0.2']),
        arrayLiteral([true, false, null]),
      ],
    );
    expect(rows[0]).toEqual({
      u: ['6f1c1f43-7a57-4a39-9d1e-0f6bb1f0d2a1'],
      t: ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.679Z'],
      n: ['0', '9007199254740991', '-3'],
      i: ['10.0.0.1/32', 'fe80::1/128', '::ffff:10.0.0.2/128'],
      b: [true, false, null],
    });
  });

  it('zip JSON values back into rows in order, a missing one as JSON null', async () => {
    const values = [{ cpu: 1.5, note: 'a "quoted", {braced} value' }, null, [1, 2], undefined];
    const { rows } = await pool.query<{ i: string; v: unknown }>(
      'SELECT t.i, t.v FROM ROWS FROM (unnest($1::int[]), jsonb_array_elements($2::jsonb)) AS t(i, v) ORDER BY t.i',
      [arrayLiteral([1, 2, 3, 4]), jsonArrayDocument(values)],
    );
    expect(rows.map((r) => r.v)).toEqual([{ cpu: 1.5, note: 'a "quoted", {braced} value' }, null, [1, 2], null]);
  });
});
