import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { peekChunk } from './peek-chunk.ts';

export interface OpenedSource {
  /** Short name for messages and the rejects file. */
  readonly name: string;
  /** Decompressed bytes. */
  readonly stream: Readable;
  /** Raw (possibly compressed) size when known: file size or Content-Length. */
  readonly totalBytes: number | null;
  /** Raw bytes consumed so far, for a bytes-based ETA. */
  bytesRead(): number;
  /** Once `stream` has ended: whether it held nothing but, at most, a UTF-8 byte-order mark. */
  isEmpty(): boolean;
}

export interface SourceOptions {
  readonly stdin?: Readable;
  /** How long an HTTP source may keep us waiting (for its headers, or for the next bytes) before it is given up. */
  readonly timeoutMs?: number;
}

export const DEFAULT_SOURCE_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const unreadable = (message: string) => new AppError(ErrorCode.SOURCE_UNREADABLE, message);
export const noTextMessage = (name: string) => `${name} holds no text (at most a byte-order mark): nothing to ingest.`;

/** A file path, `-` for stdin, or an http(s) URL; gzip is detected by name or magic bytes. */
export async function openSource(source: string, options: SourceOptions = {}): Promise<OpenedSource> {
  let raw: Readable;
  let totalBytes: number | null = null;
  let name: string;
  if (source === '-') {
    raw = options.stdin ?? process.stdin;
    name = 'stdin';
  } else if (/^https?:\/\//i.test(source)) {
    const response = await fetchSource(source, options.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS);
    raw = response.body;
    totalBytes = response.totalBytes;
    name = path.basename(new URL(source).pathname) || new URL(source).hostname;
  } else {
    try {
      const stat = await fs.promises.stat(source);
      if (!stat.isFile()) throw new Error('not a regular file');
      totalBytes = stat.size;
    } catch (error) {
      throw unreadable(`Cannot read ${source}: ${(error as Error).message}`);
    }
    raw = fs.createReadStream(source);
    name = path.basename(source);
  }

  let consumed = 0;
  const counted = new PassThrough();
  raw.on('data', (chunk: Buffer) => (consumed += chunk.length));
  raw.on('error', (error) => counted.destroy(error instanceof AppError ? error : unreadable(`Reading ${name} failed: ${error.message}`)));
  raw.pipe(counted);

  const head = await peekChunk(counted);
  if (head === null) {
    raw.destroy();
    throw unreadable(`${name} is empty (0 bytes): nothing to ingest.`);
  }
  // Told here when the size says so; otherwise (gzip, stdin) once the stream has ended.
  if (totalBytes === BOM.length && head.equals(BOM)) {
    raw.destroy();
    throw unreadable(noTextMessage(name));
  }
  const gzipped = /\.gz$/i.test(name) || (head[0] === 0x1f && head[1] === 0x8b);
  // The first bytes decoded, enough to tell a file holding only a byte-order mark. Counted
  // in a transform: a 'data' listener here would start the flow before anyone reads.
  let decoded = 0;
  let start = Buffer.alloc(0);
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (start.length < BOM.length) start = Buffer.concat([start, chunk.subarray(0, BOM.length - start.length)]);
      decoded += chunk.length;
      callback(null, chunk);
    },
  });
  counted.on('error', (error) => tap.destroy(error));
  if (gzipped) {
    const gunzip = createGunzip();
    gunzip.on('error', (error) => tap.destroy(unreadable(`${name}: not valid gzip: ${error.message}`)));
    counted.pipe(gunzip).pipe(tap);
  } else {
    counted.pipe(tap);
  }
  // Ended early (an error, a cancelled ingest): the file or the connection goes with it.
  if (raw !== process.stdin) tap.once('close', () => raw.destroy());
  // A source can fail (a cut gzip, a dropped connection) before anyone reads it, while the
  // ingest still opens its database: the error then stays in tap.errored, where every reader
  // looks first (peekChunk, readRecords), instead of crashing the process unheard.
  tap.on('error', () => undefined);
  return {
    name: name.replace(/\.gz$/i, ''),
    stream: tap,
    totalBytes,
    bytesRead: () => consumed,
    isEmpty: () => decoded === 0 || (decoded === BOM.length && start.equals(BOM)),
  };
}

/**
 * GET with the built-in fetch. Redirects are followed here, not by fetch, so that one from
 * https to http is refused: the rows would then travel unprotected. The timeout covers
 * each wait on the server (the headers, then every read of the body) but not the time the
 * ingest spends on what it already has, so a slow embedder never times out a download.
 */
async function fetchSource(url: string, timeoutMs: number): Promise<{ body: Readable; totalBytes: number | null }> {
  const controller = new AbortController();
  const stalled = () => unreadable(`Cannot read ${url}: the server sent nothing for ${timeoutMs / 1000} s.`);
  let current = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await fetch(current, { redirect: 'manual', signal: controller.signal });
    } catch (error) {
      throw controller.signal.aborted ? stalled() : unreadable(`Cannot read ${current}: ${describeFetchError(error)}`);
    } finally {
      clearTimeout(timer);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel().catch(() => undefined);
      if (redirects >= MAX_REDIRECTS) throw unreadable(`Too many redirects fetching ${url}`);
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw unreadable(`Cannot read ${url}: it redirects to ${next.protocol} (only http and https are read).`);
      if (current.protocol === 'https:' && next.protocol === 'http:') throw unreadable(`Refused: ${current} redirects to ${next}, which would leave HTTPS.`);
      current = next;
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw unreadable(`Cannot read ${url}: HTTP ${response.status}`);
    }
    const length = Number(response.headers.get('content-length'));
    return { body: timedBody(response, controller, timeoutMs, stalled), totalBytes: Number.isFinite(length) && length > 0 ? length : null };
  }
}

/** The body as a Node stream whose every read gives up after `timeoutMs` without bytes. */
function timedBody(response: Response, controller: AbortController, timeoutMs: number, stalled: () => AppError): Readable {
  const reader = response.body?.getReader();
  return new Readable({
    async read() {
      if (!reader) return void this.push(null);
      const timer = setTimeout(() => {
        controller.abort();
        this.destroy(stalled());
      }, timeoutMs);
      try {
        const { done, value } = await reader.read();
        if (!this.destroyed) this.push(done ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      } catch (error) {
        if (!this.destroyed) this.destroy(unreadable(`Reading ${response.url} failed: ${describeFetchError(error)}`));
      } finally {
        clearTimeout(timer);
      }
    },
    destroy(error, callback) {
      reader?.cancel().catch(() => undefined);
      callback(error);
    },
  });
}

/** fetch says only "fetch failed"; the reason (refused, reset, DNS) is in its cause. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  return cause?.message ?? cause?.code ?? (error as Error).message;
}
