import { hash } from 'node:crypto';
import { buildHnswIndex, buildYearIndexes, type HnswBuildOptions } from '../db/build-hnsw-index.ts';
import { createHeadlineLoader, dedupKey, type HeadlineLoader } from '../db/headline-loader.ts';
import { RecentKeys } from './recent-keys.ts';
import { countHeadlines } from '../db/count-headlines.ts';
import { hnswIndexExists, type HnswParams } from '../db/hnsw-index.ts';
import { checkEmbeddedLimit, estimateTotal } from './check-embedded-limit.ts';
import type { IndexBuildListener } from '../db/watch-index-build.ts';
import type { Database } from '../db/open-database.ts';
import { createProjection, PCA_SAMPLE_SIZE } from '../projection/create-projection.ts';
import { PcaAccumulator, type GramFunction } from '../projection/projection-pca.ts';
import { USE_DIMENSIONS, type Embedder } from '../embedding/embedder.ts';
import { symmetricEigenInWorker, type EigenFunction } from '../projection/symmetric-eigen.ts';
import { jsBatchProjector, type BatchProjector, type BatchProjectorFactory } from '../projection/batch-projector.ts';
import type { Projection, ProjectionKind } from '../shared/projection-types.ts';
import type { CopyRow } from '../db/binary-copy.ts';
import { noTextMessage, openSource, type OpenedSource } from './open-source.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { ingestPartOf, type IngestPart } from './ingest-part.ts';
import { readRecords, type InputFormat } from './read-records.ts';
import { RejectsWriter } from './rejects-writer.ts';
import { loadProjection } from '../db/projection-repository.ts';
import { matchingProjection, projectionRequest } from '../projection/resolve-projection.ts';
import { storeProjectionOnce } from './store-projection-once.ts';
import { StageClock, type Stage } from './stage-clock.ts';
import { validateRecord, type ValidHeadline } from './validate-record.ts';

export interface IngestOptions {
  /**
   * A path, `-` or an http(s) URL; or a source already opened, as the CLI does before it
   * opens the database, so an empty or unreachable source is told at once.
   */
  readonly source: string | OpenedSource;
  readonly format?: InputFormat;
  readonly rejectsFile: (sourceName: string) => string;
  readonly projection?: ProjectionKind;
  readonly dimensions?: number;
  readonly maxTextLength: number;
  /** Rows per database transaction. */
  readonly batchSize: number;
  readonly hnsw: HnswParams;
  readonly hnswBuild?: HnswBuildOptions;
  /** How long an HTTP source may keep the ingest waiting; DEFAULT_SOURCE_TIMEOUT_MS when omitted. */
  readonly sourceTimeoutMs?: number;
  /** Embedded database only: refuse an ingest that would leave more headlines than this. */
  readonly embeddedMaxHeadlines?: number;
  /** Only this part of the source's rows (by day), for several processes splitting one file. */
  readonly part?: IngestPart;
}

export interface IngestDeps {
  readonly database: Database;
  /** Started only when there is something new to embed. */
  readonly createEmbedder: () => Promise<Embedder>;
  readonly modelId: string;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Called about every second while the HNSW index is built. */
  readonly onIndexProgress?: IndexBuildListener;
  /** A fast XᵀX for fitting PCA, made only when this ingest fits one; plain JavaScript without it. */
  readonly createGram?: () => Promise<GramFunction>;
  /** The PCA eigen-decomposition; by default on a worker thread, so embedding never waits for it. */
  readonly eigen?: EigenFunction;
  /** Batch projection (e.g. one sgemm on ONNX Runtime); plain JavaScript without it. */
  readonly createProjector?: BatchProjectorFactory;
}

export interface IngestProgress {
  read: number;
  loaded: number;
  duplicates: number;
  rejected: number;
  bytesRead: number;
  totalBytes: number | null;
}

export interface IngestSummary extends IngestProgress {
  readonly rejectsFile: string | null;
  readonly indexBuilt: boolean;
  readonly projection: string | null;
  readonly seconds: Record<Stage | 'total', number>;
}

type Pending = ValidHeadline & { readonly key: string; readonly textMd5: string };

/** Recent input keys remembered to drop repeats within the input before the database is asked. */
const SEEN_WINDOW = 200_000;

/** Embedding batches allowed in flight, so the pool always has the next batch queued. */
const IN_FLIGHT = 3;

/**
 * read → validate → dedup (input, then database) → embed → project → COPY, with reading
 * and loading overlapping embedding. Every batch commits on its own, and a row is skipped
 * if its (date, text) is already stored, so a killed run resumes by simply running again.
 */
export async function ingest(options: IngestOptions, deps: IngestDeps): Promise<IngestSummary> {
  const { database } = deps;
  const clock = new StageClock();
  const started = performance.now();
  const projectionOptions = { modelId: deps.modelId, inputDimensions: USE_DIMENSIONS, kind: options.projection, dimensions: options.dimensions };
  const source = typeof options.source === 'string' ? await openSource(options.source, { timeoutMs: options.sourceTimeoutMs }) : options.source;
  // Everything opened from here on is closed in the one `finally`, whatever throws first
  // (the gram, the count): a pooled client left checked out keeps the database from closing.
  const opened: { rejects?: RejectsWriter; loader?: HeadlineLoader } = {};
  let embedder: Embedder | undefined;
  let chain: Promise<void> = Promise.resolve();
  let projection: Projection | null = null;
  try {
    const storedProjection = await loadProjection(database.db);
    projection = storedProjection ? matchingProjection(storedProjection, projectionOptions) : null;
    const rejects = (opened.rejects = new RejectsWriter(options.rejectsFile(source.name)));
    const progress: IngestProgress = { read: 0, loaded: 0, duplicates: 0, rejected: 0, bytesRead: 0, totalBytes: source.totalBytes };
    const reportProgress = () => deps.onProgress?.({ ...progress, bytesRead: source.bytesRead() });
    const seen = new RecentKeys(SEEN_WINDOW);
    const loader: HeadlineLoader = (opened.loader = await createHeadlineLoader(database));
    // Before a projection exists, embedded rows wait here while PCA accumulates its sample.
    const fitBuffer: Array<{ rows: Pending[]; vectors: Float32Array[] }> = [];
    const request = projectionRequest(projectionOptions);
    const pca = !projection && request.kind === 'pca' ? new PcaAccumulator(projectionOptions.inputDimensions, await deps.createGram?.()) : null;
    const inFlight: Promise<void>[] = [];

    let projector: Promise<BatchProjector> | undefined;
    const projectAndLoad = async (rows: readonly Pending[], vectors: readonly Float32Array[]) => {
      projector ??= (deps.createProjector ?? jsBatchProjector)(projection!);
      const reduced = await (await projector)(vectors);
      const copyRows: CopyRow[] = rows.map((r, i) => ({ publishedOn: r.publishedOn, text: r.text, embedding: vectors[i]!, reduced: reduced[i]! }));
      const inserted = await clock.time('load', () => loader.load(copyRows));
      progress.loaded += inserted;
      progress.duplicates += rows.length - inserted; // stored meanwhile by a concurrent ingest
      reportProgress();
    };

    const fitProjectionThenLoadHeld = async () => {
      const fit = async () => (pca ? pca.fit(request.dimensions, deps.eigen ?? symmetricEigenInWorker) : createProjection(request, [], projectionOptions.inputDimensions));
      projection = await storeProjectionOnce(database, projectionOptions, fit);
      for (const b of fitBuffer.splice(0)) await projectAndLoad(b.rows, b.vectors);
    };

    const loadOrHoldForFit = async (rows: Pending[], vectors: Float32Array[]) => {
      if (projection) return projectAndLoad(rows, vectors);
      fitBuffer.push({ rows, vectors });
      if (!pca) return fitProjectionThenLoadHeld();
      await pca.add(vectors.slice(0, PCA_SAMPLE_SIZE - pca.count));
      if (pca.count >= PCA_SAMPLE_SIZE) await fitProjectionThenLoadHeld();
    };

    const limit = database.mode === 'embedded' ? options.embeddedMaxHeadlines : undefined;
    const stored = limit === undefined ? 0 : await countHeadlines(database.db);
    let fresh = 0;
    const dedupAndEmbed = async (batch: Pending[]) => {
      const existing = await clock.time('dedup', () => loader.existing(batch));
      const rows = batch.filter((r) => !existing.has(r.key));
      progress.duplicates += batch.length - rows.length;
      reportProgress();
      if (rows.length === 0) return;
      fresh += rows.length;
      // Before these rows are embedded: the new rows so far, extrapolated over the whole
      // source when its size is known.
      if (limit !== undefined) checkEmbeddedLimit(limit, stored + estimateTotal(fresh, source.bytesRead(), source.totalBytes));
      embedder ??= await deps.createEmbedder();
      clock.start('embed');
      const vectors = embedder.embed(rows.map((r) => r.text)).finally(() => clock.stop('embed'));
      vectors.catch(() => undefined); // surfaced through the chain below
      chain = chain.then(async () => loadOrHoldForFit(rows, await vectors));
      inFlight.push(chain);
      if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    };

    let batch: Pending[] = [];
    clock.start('read');
    const part = options.part;
    const mine = (key: { publishedOn?: string; line: number }) => !part || ingestPartOf(key, part.count) === part.index;
    for await (const record of readRecords(source.stream, options.format)) {
      if (record.kind === 'malformed') {
        if (!mine({ line: record.line })) continue;
        progress.read++;
        rejects.write(record.line, record.reason, record.raw);
        progress.rejected++;
        continue;
      }
      const result = validateRecord(record.fields, options.maxTextLength);
      if (!result.ok) {
        if (!mine({ line: record.line })) continue;
        progress.read++;
        rejects.write(record.line, result.reason, record.raw);
        progress.rejected++;
        continue;
      }
      if (!mine({ publishedOn: result.row.publishedOn, line: record.line })) continue;
      progress.read++;
      const textMd5 = hash('md5', result.row.text, 'hex');
      const key = dedupKey({ publishedOn: result.row.publishedOn, textMd5 });
      if (seen.has(key)) {
        progress.duplicates++;
        continue;
      }
      // Past the window the oldest key goes. A repeat further back than that is still
      // caught, by the database (dedup or insert-on-conflict).
      seen.add(key);
      batch.push({ ...result.row, key, textMd5 });
      if (batch.length >= options.batchSize) {
        clock.stop('read');
        await dedupAndEmbed(batch);
        clock.start('read');
        batch = [];
      }
    }
    clock.stop('read');
    if (progress.read === 0 && source.isEmpty()) throw new AppError(ErrorCode.SOURCE_UNREADABLE, noTextMessage(source.name));
    if (batch.length > 0) await dedupAndEmbed(batch);
    await chain;
    if (!projection && fitBuffer.length > 0) await fitProjectionThenLoadHeld();
    reportProgress();

    let indexBuilt = false;
    if (projection && !(await hnswIndexExists(database.db))) {
      const p: Projection = projection;
      await clock.time('index', () => buildHnswIndex(database, p.dimensions, options.hnsw, options.hnswBuild, deps.onIndexProgress));
      indexBuilt = true;
    } else if (projection && progress.loaded > 0) {
      // A year this ingest took past the threshold gets its own index now.
      const p: Projection = projection;
      await clock.time('index', () => buildYearIndexes(database, p.dimensions, options.hnsw, options.hnswBuild, deps.onIndexProgress));
    }
    const seconds = { ...clock.seconds(), total: (performance.now() - started) / 1000 };
    const finalProjection = projection as Projection | null;
    return {
      ...progress,
      bytesRead: source.bytesRead(),
      rejectsFile: rejects.count > 0 ? rejects.file : null,
      indexBuilt,
      projection: finalProjection ? `${finalProjection.kind}-${finalProjection.dimensions}` : null,
      seconds,
    };
  } finally {
    await chain.catch(() => undefined);
    opened.rejects?.close();
    await opened.loader?.close();
    await embedder?.close();
    source.stream.destroy();
  }
}
