import { parse } from 'csv-parse/sync';

/** A raw row from an import file, with the line (CSV) or item number (JSON) it came from. */
export interface RawRow {
  line: number;
  values: Record<string, unknown>;
}

export class ImportFormatError extends Error {}

const ALIASES: Record<string, string> = {
  controller_id: 'controllerId',
  controllerid: 'controllerId',
  firmware: 'firmwareVersion',
  firmware_version: 'firmwareVersion',
  firmwareversion: 'firmwareVersion',
  device_model: 'model',
  fail_safe: 'failSafe',
  failsafe: 'failSafe',
};

function canonical(header: string): string {
  const h = header.trim();
  return ALIASES[h.toLowerCase()] ?? h;
}

/**
 * CSV with a header row. `tags` are separated by `;` or `|`; `attributes` is a JSON object, and any
 * `attr.NAME` column becomes attribute NAME. Empty cells are absent values.
 */
export function parseCsv(text: string): RawRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map(canonical),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      relax_column_count: true,
    });
  } catch (err) {
    throw new ImportFormatError(`not valid CSV: ${(err as Error).message}`);
  }
  return records.map(({ record, info }) => {
    const values: Record<string, unknown> = {};
    const attributes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      if (v === '' || v === undefined) continue;
      if (k.startsWith('attr.')) attributes[k.slice(5)] = v;
      else if (k === 'tags') values.tags = v.split(/[;|]/).map((t) => t.trim()).filter(Boolean);
      else if (k === 'attributes') {
        try {
          Object.assign(attributes, JSON.parse(v));
        } catch {
          values.attributes = v; // left for validation to report
        }
      } else values[k] = v;
    }
    if (Object.keys(attributes).length && values.attributes === undefined) values.attributes = attributes;
    return { line: info.lines, values };
  });
}

/** A JSON array of device objects (or `{ "devices": [...] }`). */
export function parseJson(text: string): RawRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ImportFormatError(`not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { devices?: unknown })?.devices;
  if (!Array.isArray(list)) throw new ImportFormatError('expected a JSON array of devices or { "devices": [...] }');
  return list.map((item, i) => ({
    line: i + 1,
    values: item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : { _: item },
  }));
}
