// npm run build (after tsc): bundles the search page (web/src/app.ts, served at /) and the
// GraphQL IDE (web/src/graphiql.tsx, served at /graphql to browsers) into web/dist with
// esbuild. Everything is bundled: the pages load nothing from any other host.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const source = path.join(root, 'web/src');
const out = path.join(root, 'web/dist');

fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { app: path.join(source, 'app.ts'), graphiql: path.join(source, 'graphiql.tsx') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
  logLevel: 'warning',
});
for (const page of ['index.html', 'graphiql.html']) fs.copyFileSync(path.join(source, page), path.join(out, page));
fs.copyFileSync(path.join(source, 'app.css'), path.join(out, 'app.css'));

const gzipped = (files: string[]) => files.reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(out, f)), { level: 9 }).length, 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
console.log(`web/dist: search page ${kb(gzipped(['index.html', 'app.js', 'app.css']))} gzipped; GraphQL IDE ${kb(gzipped(['graphiql.html', 'graphiql.js', 'graphiql.css']))} gzipped`);
