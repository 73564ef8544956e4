import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';

const read = (file: string): string => fs.readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean>; engines?: { node?: string } };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };

test('every dependency with an install script has an explicit allowScripts decision', () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
  assert.ok(withScripts.includes('onnxruntime-node'), 'the lock still records onnxruntime-node as having an install script');
  const undecided = withScripts.filter((name) => !(name in (pkg.allowScripts ?? {})));
  assert.deepEqual(undecided, [], 'add each to package.json allowScripts after reading its script');
});

test("onnxruntime-node's downloading install script is off for npm 11 (allowScripts) and npm 10 (.npmrc)", () => {
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  assert.match(read('.npmrc'), /^ignore-scripts=true$/m);
});

test('the project .npmrc holds only settings npm knows, so npm 11 prints no "Unknown project config" warning', () => {
  const result = spawnSync('npm', ['config', 'get', 'ignore-scripts'], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  assert.equal(result.stdout.trim(), 'true');
  assert.doesNotMatch(result.stderr, /Unknown (project|user|global) config/);
});

test('the Docker image runs an LTS Node.js of 24 or newer and installs with the project .npmrc', () => {
  const dockerfile = read('Dockerfile');
  const major = Number(/^FROM node:(\d+)/m.exec(dockerfile)?.[1]);
  assert.ok(major >= 24 && major % 2 === 0, `node:${major} is not a current LTS line`);
  assert.match(dockerfile, /^COPY [^\n]*\.npmrc[^\n]*\.\/$/m);
  assert.equal(pkg.engines?.node, '>=20');
});
