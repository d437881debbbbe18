import { WardenClient } from './client.js';
import { CliError } from './errors.js';
import type { Io } from './io.js';

/** The options every command takes (`--url`, `--api-key`), after the environment's defaults. */
export interface GlobalOptions {
  url?: string;
  apiKey?: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:4000';

/** A client for the API the options and environment point at; refuses to start without a key. */
export function clientFor(opts: GlobalOptions, io: Io): WardenClient {
  const apiKey = opts.apiKey ?? io.env.WARDEN_API_KEY;
  if (!apiKey) {
    throw new CliError('no API key: set WARDEN_API_KEY or pass --api-key (an admin creates keys in the console under Access)', 2);
  }
  const url = opts.url ?? io.env.WARDEN_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(`WARDEN_URL / --url must be an http(s) URL such as ${DEFAULT_URL}; got "${url}"`, 2);
  return new WardenClient({ url, apiKey });
}

/** `a,b` and repeated flags alike: `--kind LIGHT,CAMERA --kind TV`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** Upper-cased enum values with their allowed set checked, naming the option on a typo. */
export function enumList(option: string, values: string[] | undefined, allowed: readonly string[]): string[] | undefined {
  if (!values) return undefined;
  const out = values.map((v) => v.toUpperCase().replace(/-/g, '_'));
  const bad = out.filter((v) => !allowed.includes(v));
  if (bad.length) throw new CliError(`${option}: unknown value ${bad.join(', ')}; use one of ${allowed.join(', ')}`, 2);
  return out;
}

export function positiveInt(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new CliError(`${option} must be a whole number of at least 1; got "${value}"`, 2);
    return n;
  };
}
