import { NotFoundError } from '../errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string): boolean => UUID.test(id);

/** An id that is not even a UUID names nothing: a NotFoundError, never a database error. */
export function assertId(entity: string, id: string): string {
  if (!isUuid(id)) throw new NotFoundError(entity, id);
  return id;
}
