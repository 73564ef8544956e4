#!/usr/bin/env node
// The CLI runs compiled from dist/ (`npm run build`, which `npm start` runs). In a checkout that
// has not been built yet it runs from source through tsx, a dev dependency, so `npx headlines`
// works straight after `npm install` (the project's .npmrc skips install scripts, its own too).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(entry)) {
  main = await import(entry.href);
} else if (existsSync(source)) {
  const tsx = await import('tsx/esm/api').catch(() => undefined);
  if (!tsx) {
    process.stderr.write('headlines: dist/ is missing; run `npm run build` in the headline-search folder first\n');
    process.exit(1);
  }
  tsx.register();
  main = await import(source.href);
} else {
  process.stderr.write('headlines: dist/ is missing; reinstall the package\n');
  process.exit(1);
}
process.exitCode = await main.run(process.argv.slice(2));
