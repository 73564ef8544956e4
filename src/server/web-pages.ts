import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';

/** What a browser gets at /graphql (GRAPHQL_IDE). */
export type GraphqlIde = 'local' | 'apollo' | 'off';

/** Same relative place from src/server (tsx) and dist/server (compiled); `npm run build` fills it. */
export const WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const SEARCH_PAGE = { '/app.js': 'app.js', '/app.css': 'app.css' } as const;
const IDE_FILES = { '/graphiql.js': 'graphiql.js', '/graphiql.css': 'graphiql.css' } as const;

/**
 * The search page at / and, with GRAPHQL_IDE=local, GraphiQL for browsers that open
 * /graphql (a GET asking for HTML without a `query`). Only the built files are served,
 * each from this server: nothing else under web/dist is reachable.
 */
export function mountWebPages(app: Express, ide: GraphqlIde, dir: string = WEB_DIR): void {
  const send = (file: string) => (_req: unknown, res: import('express').Response) => {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) {
      res.status(404).type('text/plain').send('The web pages are not built: run `npm run build`.');
      return;
    }
    res.sendFile(full, { headers: { 'cache-control': 'no-cache' } });
  };
  app.get(['/', '/index.html'], send('index.html'));
  for (const [route, file] of Object.entries(SEARCH_PAGE)) app.get(route, send(file));
  if (ide !== 'local') return;
  for (const [route, file] of Object.entries(IDE_FILES)) app.get(route, send(file));
  app.get('/graphql', (req, res, next) => {
    if (req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html') send('graphiql.html')(req, res);
    else next();
  });
}
