import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isIsoDate } from '../shared/calendar-date.ts';

const invalid = (value: unknown) =>
  new GraphQLError(`Date must be a calendar date YYYY-MM-DD; got ${JSON.stringify(value)}.`, { extensions: { code: 'BAD_USER_INPUT' } });

/** ISO 8601 calendar dates as strings, validated strictly (no 2003-02-30). */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'Calendar date, ISO 8601 YYYY-MM-DD.',
  serialize: (value) => {
    if (typeof value !== 'string' || !isIsoDate(value)) throw invalid(value);
    return value;
  },
  parseValue: (value) => {
    if (typeof value !== 'string' || !isIsoDate(value)) throw invalid(value);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !isIsoDate(ast.value)) throw invalid(ast.kind === Kind.STRING ? ast.value : ast.kind);
    return ast.value;
  },
});
