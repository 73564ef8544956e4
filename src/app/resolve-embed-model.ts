import type { Kysely } from 'kysely';
import type { Config } from '../config/parse-config.ts';
import { loadModelId } from '../db/projection-repository.ts';
import type { DB } from '../db/schema.ts';
import { modelNameFor } from '../embedding/create-embedder.ts';

/**
 * The configuration with the model this database needs. With EMBED_MODEL unset, a database
 * that already holds vectors keeps the model it was embedded with (one made with
 * `--model use-lite-int8` or `hash` is searched with that model's vectors, not the
 * default's, without the variable on every command); an empty or unmigrated one gets the
 * default. A set EMBED_MODEL is left as it is, so a mismatch is refused where it always
 * was, with a message naming both models.
 */
export async function resolveEmbedModel(config: Config, db: Kysely<DB>): Promise<Config> {
  if (config.embedModelExplicit) return config;
  const stored = await loadModelId(db);
  const name = stored === null ? undefined : modelNameFor(stored);
  return name === undefined || name === config.embedModel ? config : { ...config, embedModel: name };
}
