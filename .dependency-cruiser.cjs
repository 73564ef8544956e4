// Dependencies run one way, from the adapters down to the shared basics:
//   errors, logger, shared, worker  <-  config  <-  db  <-  embedding  <-  projection  <-  search, ingest, eval
//   <-  graphql, server  <-  app (the composition root)  <-  cli
// A module may import its own folder and any folder below it, never one above or beside it
// (server may use graphql: it mounts the schema). `npm test` runs this check, over src/, bench/
// and scripts/lib/ (the helpers that test/ and bench/ share).
const LAYERS = [
  ['errors', 'logger.ts', 'shared', 'worker'],
  ['config'],
  ['db'],
  ['embedding'],
  ['projection'],
  ['search', 'ingest', 'eval'],
  ['graphql', 'server'],
  ['app'],
  ['cli'],
];
const ALLOWED_SIDEWAYS = { server: ['graphql'] };
const folder = (name) => (name.endsWith('.ts') ? name.replace('.', '\\.') + '$' : `${name}/`);
const ALL = LAYERS.flat();

const forbidden = [];
LAYERS.forEach((layer, rank) => {
  for (const name of layer) {
    const notAllowed = ALL.filter((other) => other !== name && !LAYERS.slice(0, rank).flat().includes(other) && !(ALLOWED_SIDEWAYS[name] ?? []).includes(other));
    if (notAllowed.length === 0) continue;
    forbidden.push({
      name: `layering: ${name}`,
      comment: `src/${name} may import only from lower layers (see the map at the top of .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: `^src/${folder(name)}` },
      to: { path: `^src/(${notAllowed.map(folder).join('|')})` },
    });
  }
});

forbidden.push(
  {
    name: 'sql only in db',
    comment: 'SQL lives in src/db; other layers get its functions (type imports of Kysely or pg are fine)',
    severity: 'error',
    from: { path: '^src/', pathNot: '^src/db/' },
    to: { path: 'node_modules/(kysely|pg|pg-copy-streams)/', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'commands stand alone',
    comment: 'a CLI command must not import another command; shared wiring goes in src/app',
    severity: 'error',
    from: { path: '^src/cli/commands/([^/]+)\\.ts$', pathNot: '^src/cli/commands/option-parsers\\.ts$' },
    to: { path: '^src/cli/commands/', pathNot: ['^src/cli/commands/option-parsers\\.ts$', '^src/cli/commands/$1\\.ts$'] },
  },
  {
    name: 'commands call src/app',
    comment: 'a CLI command parses its arguments, calls src/app and prints the result; the work behind it (database, model, projection) is wired in src/app',
    severity: 'error',
    from: { path: '^src/cli/commands/' },
    to: { path: '^src/(db|embedding|projection)/' },
  },
  {
    name: 'projection does no I/O',
    comment: 'src/projection is the arithmetic of the reduced vectors; reading and storing a projection is its caller\'s (src/ingest, src/app)',
    severity: 'error',
    from: { path: '^src/projection/' },
    to: { path: '^src/db/' },
  },
  {
    name: 'benches do not import tests',
    comment: 'what benches share with the tests (spawning the CLI, replicas, free ports) lives in scripts/lib; bench-only helpers in bench/support',
    severity: 'error',
    from: { path: '^bench/' },
    to: { path: '^test/' },
  },
  {
    name: 'scripts/lib stands alone',
    comment: 'scripts/lib is imported by both test/ and bench/, so it imports neither',
    severity: 'error',
    from: { path: '^scripts/lib/' },
    to: { path: '^(test|bench)/' },
  },
  {
    name: 'no cycles',
    severity: 'error',
    from: { path: '^src/' },
    to: { circular: true },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: ['^(src|bench|scripts/lib|test)/', 'node_modules/(kysely|pg|pg-copy-streams)/'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
