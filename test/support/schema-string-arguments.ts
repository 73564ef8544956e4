import fs from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLEnumType,
  type GraphQLOutputType,
} from 'graphql';
import { ROOT } from './run-cli.ts';

/** Scalars a client passes as a JSON string. */
const STRING_SCALARS = new Set(['String', 'ID', 'Date']);

export interface StringArgument {
  /** e.g. `search(query)` or `search(filter.from)`, for messages. */
  readonly name: string;
  /** The operation, with the fuzzed value as `$v` and each enum argument as a variable. */
  readonly operation: string;
  /** Variables for one request: the fuzzed text, a valid value for every other text argument, one value of each enum. */
  variables(text: string, choice: number, valid: { query: string; id: string }): Record<string, unknown>;
}

/**
 * Every argument of every Query field that takes a string (String, ID, Date, also inside
 * input objects), read from schema.graphql: a field or argument added later is fuzzed too.
 */
export function schemaStringArguments(): StringArgument[] {
  const schema = buildSchema(fs.readFileSync(path.join(ROOT, 'schema.graphql'), 'utf8'));
  const found: StringArgument[] = [];
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    for (const arg of field.args) {
      const named = getNamedType(arg.type);
      if (STRING_SCALARS.has(named.name)) found.push(argument(field.name, field.args, field.type, arg, null));
      if (isInputObjectType(named)) {
        for (const inner of Object.values(named.getFields())) {
          if (STRING_SCALARS.has(getNamedType(inner.type).name)) found.push(argument(field.name, field.args, field.type, arg, inner.name));
        }
      }
    }
  }
  return found;
}

function argument(field: string, args: readonly GraphQLArgument[], type: GraphQLOutputType, fuzzed: GraphQLArgument, inner: string | null): StringArgument {
  const enums = args.filter((a) => isEnumType(getNamedType(a.type)));
  const others = args.filter((a) => a !== fuzzed && isNonNullType(a.type) && STRING_SCALARS.has(getNamedType(a.type).name));
  const declared = [`$v: ${fuzzed.type.toString()}`, ...enums.map((a) => `$${a.name}: ${a.type.toString()}`), ...others.map((a) => `$${a.name}: ${a.type.toString()}`)];
  const passed = [`${fuzzed.name}: $v`, ...enums.map((a) => `${a.name}: $${a.name}`), ...others.map((a) => `${a.name}: $${a.name}`)];
  return {
    name: `${field}(${fuzzed.name}${inner ? `.${inner}` : ''})`,
    operation: `query Fuzz(${declared.join(', ')}) { ${field}(${passed.join(', ')})${selection(type, 0)} }`,
    variables(text, choice, valid) {
      const variables: Record<string, unknown> = { v: inner ? { [inner]: text } : text };
      for (const [i, a] of enums.entries()) {
        const values = (getNamedType(a.type) as GraphQLEnumType).getValues();
        variables[a.name] = values[Math.floor(choice / values.length ** i) % values.length]!.name;
      }
      for (const a of others) variables[a.name] = getNamedType(a.type).name === 'ID' ? valid.id : valid.query;
      return variables;
    },
  };
}

/** The smallest selection that makes the field valid: its first field without required arguments, down to a leaf. */
function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named) || depth > 4 || !(isObjectType(named) || isInterfaceType(named))) return '';
  const first = Object.values(named.getFields()).find((f) => f.args.every((a) => !isNonNullType(a.type)))!;
  return ` { ${first.name}${selection(first.type, depth + 1)} }`;
}
