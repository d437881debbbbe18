import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import type { Module } from '../module.js';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

const DateTime: GraphQLScalarType<Date, string> = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant, e.g. 2026-11-25T10:00:00Z.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v as string).toISOString()),
  parseValue: (v) => {
    const d = typeof v === 'string' ? new Date(v) : null;
    if (!d || Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v as string)) throw badInput(`not an ISO-8601 date-time: ${JSON.stringify(v)}`);
    return d;
  },
  parseLiteral: (ast): Date => {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string');
    return DateTime.parseValue(ast.value);
  },
});

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      throw badInput('variables are not allowed inside JSON literals');
  }
}

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literal,
});

export const commonModule: Module = {
  typeDefs: /* GraphQL */ `
    scalar DateTime
    scalar JSON

    "Relay-style page information."
    type PageInfo {
      hasNextPage: Boolean!
      hasPreviousPage: Boolean!
      startCursor: String
      endCursor: String
    }

    enum SortDirection {
      ASC
      DESC
    }

    type Query {
      "Liveness of the API itself (no dependencies checked)."
      ping: String!
    }

    type Mutation {
      _noop: Boolean
    }
  `,
  resolvers: {
    DateTime,
    JSON: JSONScalar,
    Query: { ping: () => 'pong' },
  },
};
