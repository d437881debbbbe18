import { z } from 'zod';
import type { CoreDeps } from './context.js';
import { ValidationError } from './errors.js';

/** Connection pages: the page-size check and the time-and-id cursor the lists share. */

const UUID = z.uuid();
/** The largest time a Date holds (ms): a cursor past it was not written by this API. */
const MAX_DATE_MS = 8.64e15;

/** `first` when it is a page size the API allows (0 to GRAPHQL_MAX_PAGE_SIZE), else a ValidationError on `first`. */
export function pageSize(deps: Pick<CoreDeps, 'config'>, first: number): number {
  const max = deps.config.graphql.maxPageSize;
  if (!Number.isInteger(first) || first < 0 || first > max) throw new ValidationError(`first: must be between 0 and ${max}`, 'first');
  return first;
}

/** The cursor of a row in a list ordered newest first: its time and id. */
export function timeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}|${id}`).toString('base64url');
}

/** Reads a {@link timeCursor}; anything else (a forged or foreign cursor) is a ValidationError on `field`. */
export function readTimeCursor(after: string, field = 'after'): { at: Date; id: string } {
  const [ms, id] = Buffer.from(after, 'base64url').toString('utf8').split('|');
  if (!ms || !/^\d{1,16}$/.test(ms) || Number(ms) > MAX_DATE_MS || !id || !UUID.safeParse(id).success) throw new ValidationError(`${field}: not a cursor from this API`, field);
  return { at: new Date(Number(ms)), id };
}
