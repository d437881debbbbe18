import type { GraphQLFormattedError } from 'graphql';
import { isWardenError } from '@warden/core';
import type { Logger } from '@warden/runtime';

/** Prisma errors that are the caller's fault, mapped to what they mean. */
function prismaError(err: unknown): { code: string; message: string } | null {
  const e = err as { code?: string; message?: string; name?: string };
  if (!e || typeof e !== 'object') return null;
  const msg = e.message ?? '';
  if (e.code === 'P2025') return { code: 'NOT_FOUND', message: 'not found' };
  if (e.code === 'P2002') return { code: 'CONFLICT', message: 'already exists' };
  if (e.code === 'P2023' || /invalid input syntax for type uuid|Error creating UUID|invalid character/i.test(msg)) {
    return { code: 'BAD_USER_INPUT', message: 'an id is not valid' };
  }
  return null;
}

/**
 * The error a resolver threw, under however many GraphQL wrappers (graphql-js's, graphql-jit's,
 * Apollo's). Walks `originalError` rather than testing classes, which differ between module copies.
 */
function rootCause(error: unknown): unknown {
  let e = error;
  while (e && typeof e === 'object' && 'originalError' in e && e.originalError) e = e.originalError;
  return e;
}

/**
 * Maps errors once for GraphQL: Warden's named errors keep their code and message; GraphQL's own
 * (parse, validation, bad variables) pass through; anything else is logged and masked.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = rootCause(error);
    if (isWardenError(original)) {
      return { ...formatted, message: original.message, extensions: { ...original.details, code: original.code } };
    }
    const prisma = prismaError(original);
    if (prisma) return { ...formatted, message: prisma.message, extensions: { code: prisma.code } };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      return { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}), extensions: { code } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
