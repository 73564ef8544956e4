import fs from 'node:fs';
import { buildSchema, type GraphQLSchema } from 'graphql';

const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

export interface ApiSchema {
  /** schema.graphql as written: Apollo's typeDefs. */
  readonly sdl: string;
  /** The same, built: for measuring documents before Apollo sees them. */
  readonly schema: GraphQLSchema;
  /** Names of the Query type's fields: the fixed set requests are labelled by. */
  readonly rootFields: readonly string[];
}

let built: ApiSchema | undefined;

/** The API's schema, read and built once per process. */
export function apiSchema(): ApiSchema {
  if (!built) {
    const sdl = fs.readFileSync(SCHEMA_FILE, 'utf8');
    const schema = buildSchema(sdl);
    built = Object.freeze({ sdl, schema, rootFields: Object.freeze(Object.keys(schema.getQueryType()!.getFields())) });
  }
  return built;
}
