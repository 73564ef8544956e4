import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Config } from '../config/parse-config.ts';
import type { Database } from '../db/open-database.ts';
import { loadProjection } from '../db/projection-repository.ts';
import { configuredModelId, createEmbedder } from '../embedding/create-embedder.ts';
import { USE_DIMENSIONS, type Embedder } from '../embedding/embedder.ts';
import { normalizeText } from '../embedding/normalize-text.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';
import { project } from '../projection/projection.ts';
import { matchingProjection } from '../projection/resolve-projection.ts';
import { forbiddenCharacter } from '../shared/forbidden-character.ts';
import type { Projection } from '../shared/projection-types.ts';
import { resolveEmbedModel } from './resolve-embed-model.ts';
import { withDatabase, withMigratedDatabase } from './with-database.ts';

const CHUNK = 512;

export interface EmbedLinesRequest {
  readonly input: Readable;
  /** Reduce each vector by the database's stored projection. */
  readonly projected: boolean;
  /** One vector per input line, in order, a chunk at a time; null for an empty line. */
  readonly onVectors: (vectors: ReadonlyArray<Float32Array | null>) => void;
}

/** `headlines embed`: each line of the input embedded as a search would embed it. */
export async function embedLines(environment: Config, logger: Logger, request: EmbedLinesRequest): Promise<void> {
  // The vectors are for searching this database (in SQL, say), so they come from its model
  // unless EMBED_MODEL names one; only then is the database left closed. Plain vectors need
  // no schema: a database not migrated yet gets the default model.
  const open = request.projected ? withMigratedDatabase : withDatabase;
  const { config, projection } =
    environment.embedModelExplicit && !request.projected
      ? { config: environment, projection: null }
      : await open(environment, logger, async (database) => {
          const config = await resolveEmbedModel(environment, database.db);
          return { config, projection: request.projected ? await readStoredProjection(config, database) : null };
        });
  let embedder: Embedder | undefined;
  try {
    const lines = readline.createInterface({ input: request.input, crlfDelay: Infinity });
    let chunk: string[] = [];
    let lineNumber = 0;
    const flush = async (last: boolean) => {
      // A short input is embedded in-process (no worker start-up); long ones use the pool.
      embedder ??= await createEmbedder(config, logger, last ? 'query' : 'bulk');
      const texts = chunk.map(normalizeText);
      const present = texts.filter((t) => t !== '');
      const vectors = await embedder.embed(present);
      let next = 0;
      const out = texts.map((t) => (t === '' ? null : vectors[next++]!));
      request.onVectors(out.map((v) => (v && projection ? project(projection, v) : v)));
      chunk = [];
    };
    for await (const line of lines) {
      lineNumber++;
      const forbidden = forbiddenCharacter(line);
      // Refused, not stripped: the vector would be of another text than the line.
      if (forbidden !== null) throw new AppError(ErrorCode.BAD_USER_INPUT, `embed: line ${lineNumber} holds a ${forbidden}, which text may not contain (see docs/input-rules.md)`);
      chunk.push(line);
      if (chunk.length >= CHUNK) await flush(false);
    }
    if (chunk.length > 0) await flush(true);
  } finally {
    await embedder?.close();
  }
}

async function readStoredProjection(config: Config, database: Database): Promise<Projection> {
  const stored = await loadProjection(database.db);
  if (!stored) throw new AppError(ErrorCode.NOT_FOUND, '--projected: the database has no stored projection yet (run an ingest first)');
  return matchingProjection(stored, { modelId: configuredModelId(config), inputDimensions: USE_DIMENSIONS });
}
