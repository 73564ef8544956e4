import fs from 'node:fs';
import path from 'node:path';

/**
 * Rejected rows as TSV: source line, reason, raw line. The file is created on the first
 * reject only. The raw line keeps its original bytes (invalid UTF-8 included); tabs,
 * newlines and backslashes are escaped so each reject stays on one line.
 */
export class RejectsWriter {
  private fd: number | null = null;
  count = 0;

  constructor(readonly file: string) {}

  write(line: number, reason: string, raw: string): void {
    if (this.fd === null) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'w');
      fs.writeSync(this.fd, 'line\treason\traw\n');
    }
    const rawBytes = Buffer.from(escape(raw), 'latin1');
    fs.writeSync(this.fd, Buffer.concat([Buffer.from(`${line}\t${escape(reason)}\t`, 'utf8'), rawBytes, Buffer.from('\n')]));
    this.count++;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

function escape(s: string): string {
  return s.replace(/[\\\t\r\n]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\r': '\\r', '\n': '\\n' })[c]!);
}

export function defaultRejectsPath(dataDir: string, sourceName: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return path.join(dataDir, 'rejects', `${sourceName.replace(/[^\w.-]+/g, '_')}-${stamp}.tsv`);
}
