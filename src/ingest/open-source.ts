import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
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
}

const MAX_REDIRECTS = 5;

/** A file path, `-` for stdin, or an http(s) URL; gzip is detected by name or magic bytes. */
export async function openSource(source: string, stdin: Readable = process.stdin): Promise<OpenedSource> {
  let raw: Readable;
  let totalBytes: number | null = null;
  let name: string;
  if (source === '-') {
    raw = stdin;
    name = 'stdin';
  } else if (/^https?:\/\//i.test(source)) {
    const response = await get(source, MAX_REDIRECTS);
    raw = response;
    const length = Number(response.headers['content-length']);
    totalBytes = Number.isFinite(length) && length > 0 ? length : null;
    name = path.basename(new URL(source).pathname) || new URL(source).hostname;
  } else {
    try {
      const stat = await fs.promises.stat(source);
      if (!stat.isFile()) throw new Error('not a regular file');
      totalBytes = stat.size;
    } catch (error) {
      throw new AppError(ErrorCode.SOURCE_UNREADABLE, `Cannot read ${source}: ${(error as Error).message}`);
    }
    raw = fs.createReadStream(source);
    name = path.basename(source);
  }

  let consumed = 0;
  const counted = new PassThrough();
  raw.on('data', (chunk: Buffer) => (consumed += chunk.length));
  raw.on('error', (error) => counted.destroy(new AppError(ErrorCode.SOURCE_UNREADABLE, `Reading ${name} failed: ${error.message}`)));
  raw.pipe(counted);

  const head = await peekChunk(counted);
  const gzipped = /\.gz$/i.test(name) || (head !== null && head[0] === 0x1f && head[1] === 0x8b);
  let stream: Readable = counted;
  if (gzipped) {
    const out = new PassThrough();
    const gunzip = createGunzip();
    counted.on('error', (error) => out.destroy(error));
    gunzip.on('error', (error) => out.destroy(new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: not valid gzip: ${error.message}`)));
    counted.pipe(gunzip).pipe(out);
    stream = out;
  }
  return { name: name.replace(/\.gz$/i, ''), stream, totalBytes, bytesRead: () => consumed };
}

function get(url: string, redirectsLeft: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirectsLeft === 0) return reject(new AppError(ErrorCode.SOURCE_UNREADABLE, `Too many redirects fetching ${url}`));
        return resolve(get(new URL(response.headers.location, url).toString(), redirectsLeft - 1));
      }
      if (status !== 200) {
        response.resume();
        return reject(new AppError(ErrorCode.SOURCE_UNREADABLE, `Cannot read ${url}: HTTP ${status}`));
      }
      resolve(response);
    });
    request.on('error', (error) => reject(new AppError(ErrorCode.SOURCE_UNREADABLE, `Cannot read ${url}: ${error.message}`)));
  });
}
