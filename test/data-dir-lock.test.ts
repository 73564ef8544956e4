import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { acquireDataDirLock, type DataDirLock } from '../src/db/embedded/data-dir-lock.ts';
import { isAppError } from '../src/errors/app-error.ts';
import { ROOT } from './support/run-cli.ts';

/** A pid that was a process and is no more: what a kill -9 leaves in the lock file. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function staleLockDir(pid: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-lock-race-'));
  fs.writeFileSync(path.join(dir, 'headline-search.pid'), `${pid}\n`);
  return dir;
}

describe('taking over a stale embedded-database lock', () => {
  // Two live processes whose pids stand for two servers starting at once.
  const sleepers: ChildProcess[] = [];
  before(() => {
    for (let i = 0; i < 2; i++) sleepers.push(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']));
  });
  after(() => sleepers.forEach((s) => s.kill('SIGKILL')));

  test('a process delayed after judging the lock stale does not remove the lock another took over meanwhile', async () => {
    const dir = staleLockDir(await deadPid());
    const [a, b] = sleepers.map((s) => s.pid!);
    let taken: DataDirLock | undefined;
    try {
      // A judges the file stale; before it acts, B takes the lock over completely.
      assert.throws(
        () => acquireDataDirLock(dir, a, { judgedStale: () => (taken ??= acquireDataDirLock(dir, b)) }),
        (e: unknown) => isAppError(e, 'DATABASE_IN_USE') && e.message.includes(`in use by pid ${b}`),
      );
      assert.ok(taken, 'B took the lock over');
      assert.equal(fs.readFileSync(taken.file, 'utf8').trim(), String(b), 'B still holds the lock file');
      assert.deepEqual(fs.readdirSync(dir), ['headline-search.pid'], 'no claim file is left behind');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('of several processes racing to take over one stale lock, exactly one gets it', async () => {
    const dir = staleLockDir(await deadPid());
    const racer = `
      import { createInterface } from 'node:readline';
      const { acquireDataDirLock } = await import(${JSON.stringify(path.join(ROOT, 'src/db/embedded/data-dir-lock.ts'))});
      const lines = createInterface({ input: process.stdin });
      console.log('ready');
      for await (const line of lines) {
        if (line !== 'go') continue;
        try { acquireDataDirLock(${JSON.stringify(dir)}); console.log('held'); }
        catch (e) { console.log(e.code === 'DATABASE_IN_USE' ? 'refused' : 'error ' + e.message); }
      }`;
    const racers = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', racer], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    try {
      const outputs = racers.map((r) => createInterface({ input: r.stdout! })[Symbol.asyncIterator]());
      for (const out of outputs) assert.equal((await out.next()).value, 'ready');
      // Every racer is loaded and waiting: they are told to go together.
      for (const r of racers) r.stdin!.write('go\n');
      const results = await Promise.all(outputs.map(async (out) => (await out.next()).value as string));
      assert.deepEqual(results.toSorted(), ['held', 'refused', 'refused', 'refused', 'refused', 'refused']);
      const holder = racers[results.indexOf('held')]!;
      assert.equal(fs.readFileSync(path.join(dir, 'headline-search.pid'), 'utf8').trim(), String(holder.pid));
    } finally {
      for (const r of racers) r.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
