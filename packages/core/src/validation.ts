import type { z } from 'zod';
import { ValidationError } from './errors.js';

/** Parses a use-case's input with `schema`, or throws a ValidationError naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.join('.');
    throw new ValidationError(`${field || 'input'}: ${i.message}`, field || undefined);
  }
  return r.data;
}
