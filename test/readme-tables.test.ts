import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

const read = (path: string) => fs.readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');

/** The rows of the README table under `## heading`, as arrays of cells. */
function tableRows(heading: string): string[][] {
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  assert.ok(section, `README has no section ## ${heading}`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) => line.slice(2, -2).split(/(?<!\\) \| /));
}

test("the README's configuration table names exactly the variables parseConfig reads, with its defaults", () => {
  const source = read('src/config/parse-config.ts');
  const read_ = new Set([...source.matchAll(/\b(?:value|integer|boolean|port|fraction|optionalInteger)\('([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!));
  const rows = tableRows('Configuration');
  const documented = new Set(rows.map((cells) => cells[0]!.replace(/`/g, '')));
  assert.deepEqual([...documented].sort(), [...read_].sort());
  for (const [name, fallback] of rows.map((cells) => [cells[0]!.replace(/`/g, ''), cells[1]!] as const)) {
    const plain = /^`(\d+)`$/.exec(fallback);
    if (!plain) continue;
    const call = new RegExp(`(?:integer|port)\\('${name}', ([\\d_]+|[A-Z_]+)`).exec(source);
    assert.ok(call, `${name}: no integer default in parse-config.ts`);
    const given = /^[A-Z_]+$/.test(call[1]!) ? new RegExp(`const ${call[1]} = ([\\d_]+)`).exec(source)?.[1] : call[1];
    assert.equal(Number(given?.replace(/_/g, '')), Number(plain[1]), `${name}: the README says ${plain[1]}`);
  }
});

test("the README's command table lists every command the CLI registers", () => {
  const commandsDir = new URL('../src/cli/commands/', import.meta.url);
  const registered = fs
    .readdirSync(commandsDir)
    .flatMap((file) => [...fs.readFileSync(new URL(file, commandsDir), 'utf8').matchAll(/\.command\('([a-z-]+)/g)].map((m) => m[1]!))
    .filter((name) => name !== 'eval');
  const listed = tableRows('Command line').map((cells) => cells[0]!);
  for (const name of registered) {
    assert.ok(listed.some((cell) => new RegExp(`headlines (eval )?${name}\\b`).test(cell)), `headlines ${name} is not in the README's command table`);
  }
});
