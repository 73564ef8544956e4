// CPU per GraphQL search request, split by where it is spent: the API's main thread, its
// other threads (the query-embedding worker and ONNX Runtime's), the PostgreSQL backends
// serving it, and this load generator. Fixed work (--requests distinct uncached searches
// at --connections), CPU time read from /proc (schedstat, ns) before and after, so the
// figures hold on a busy machine where wall-clock rates do not.
// --roots (comma-separated checkouts, by default this one) alternate run by run, --rounds
// times, so two versions of the code see the same machine; with --simultaneous they are
// loaded at the same time instead (--connections each).
// A root may carry environment for its server: /path#MAX_CONCURRENT_OPERATIONS=3.
// BENCH_CORPUS_URL: a database holding the sample (required). --cpu-prof dir profiles
// the API's main thread (node --cpu-prof) into dir; --document replaces the search sent.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { percentile } from './support/stats.ts';
import { benchFile } from './support/reference-files.ts';
import { benchOptions, list, positive, printSummary } from './support/bench-options.ts';

const SAMPLE = benchFile('HEADLINES_SAMPLE_CSV');
const URL_ = process.env.BENCH_CORPUS_URL;
if (!URL_) throw new Error('BENCH_CORPUS_URL: a database with the sample loaded');
const { values: args } = benchOptions(
  {
    requests: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    roots: { type: 'string', default: fileURLToPath(new URL('../', import.meta.url)) },
    'cpu-prof': { type: 'string' },
    simultaneous: { type: 'boolean', default: false },
    document: { type: 'string', default: 'query($q: String!) { search(query: $q, first: 10, mode: SEMANTIC) { edges { similarity node { id } } } }' },
  },
  {
    BENCH_REQUESTS: '--requests',
    BENCH_CONNECTIONS: '--connections',
    BENCH_ROUNDS: '--rounds',
    BENCH_ROOTS: '--roots a,b',
    BENCH_CPU_PROF: '--cpu-prof dir',
    BENCH_SIMULTANEOUS: '--simultaneous',
    BENCH_DOCUMENT: '--document',
  },
);
const REQUESTS = positive(args.requests, 'requests');
const CONNECTIONS = positive(args.connections, 'connections');
const ROUNDS = positive(args.rounds, 'rounds');
const ROOTS = list(args.roots);
const PROFILE_DIR = args['cpu-prof'];
const TICK_NS = 1e9 / 100;
const SIMULTANEOUS = args.simultaneous;
const DOCUMENT = args.document;

const lines = fs.readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1);
const distinct = lines.filter((_, i) => i % 7 === 3).map((l) => l.slice(9).split(' ').slice(1).join(' ')).filter((q) => q.split(' ').length >= 3);

const withApplicationName = (url: string, name: string) => {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
};

interface Server {
  index: number;
  root: string;
  child: ChildProcess;
  url: string;
}

async function startServer(spec: string, index: number): Promise<Server> {
  // "checkout#NAME=value&NAME=value": extra environment for that server.
  const [root, extra = ''] = spec.split('#') as [string, string?];
  const args = [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), '--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: withApplicationName(URL_!, `bench-api-cpu-${index}`), QUERY_CACHE_SIZE: '0', RATE_LIMIT_PER_MINUTE: '0', NODE_ENV: 'production', LOG_LEVEL: 'info', ...Object.fromEntries(new URLSearchParams(extra)) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const collect = (d: Buffer) => (log += d.toString());
  child.stderr!.on('data', collect);
  const deadline = Date.now() + 120_000;
  while (!/localhost:(\d+)\/graphql/.test(log)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = `http://127.0.0.1:${/localhost:(\d+)/.exec(log)![1]}`;
  while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 200));
  // Production logs one line per request: read and dropped, as a log collector would.
  child.stderr!.off('data', collect);
  child.stderr!.resume();
  return { index, root: spec, child, url };
}

/** CPU ns of each thread of a process, by thread name (main thread as "main"). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const name = Number(tid) === pid ? 'main' : fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(name, (out.get(name) ?? 0) + ns);
      if (Number(tid) === pid) {
        // Kernel time of the main thread (system calls: sockets, waking the worker, logging), in clock ticks.
        const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        out.set('main.sys', Number(fields[12]) * TICK_NS);
      }
    } catch {
      // thread ended
    }
  }
  return out;
}

/** CPU ns of each PostgreSQL backend serving this server (its connections carry its application_name). */
async function backendCpu(admin: pg.Client, server: Server): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and application_name = $1', [`bench-api-cpu-${server.index}`]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      out.set(pid, Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // backend ended
    }
  }
  return out;
}

interface RunResult {
  rps: number;
  p50: number;
  errors: number;
  perRequestMs: Record<string, number>;
}

async function run(server: Server, admin: pg.Client, queries: string[]): Promise<RunResult> {
  let next = 0;
  const latencies: number[] = [];
  const pid = server.child.pid!;
  const threads0 = threadCpu(pid);
  const pg0 = await backendCpu(admin, server);
  const self0 = process.cpuUsage();
  const result = await autocannon({
    url: `${server.url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    amount: REQUESTS,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: DOCUMENT, variables: { q: queries[next++ % queries.length] } }) }) }],
    setupClient: (client) => client.on('response', (_status: number, _bytes: number, time: number) => latencies.push(time)),
  });
  const self = process.cpuUsage(self0);
  const threads1 = threadCpu(pid);
  const pg1 = await backendCpu(admin, server);
  const n = result.requests.total;
  const perRequestMs: Record<string, number> = {};
  for (const [name, ns] of threads1) perRequestMs[`node:${name}`] = (ns - (threads0.get(name) ?? 0)) / 1e6 / n;
  let pgNs = 0;
  for (const [p, ns] of pg1) pgNs += ns - (pg0.get(p) ?? 0);
  perRequestMs.postgres = pgNs / 1e6 / n;
  perRequestMs.loadgen = (self.user + self.system) / 1e3 / n;
  return { rps: n / (result.duration || 1), p50: percentile(latencies, 50), errors: result.errors + result.non2xx, perRequestMs };
}

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
const servers: Server[] = [];
for (const [i, root] of ROOTS.entries()) servers.push(await startServer(root, i));
for (const s of servers) await run(s, admin, distinct.slice(-400)); // warm-up: JIT, pool, pages
const results = new Map<string, RunResult[]>(ROOTS.map((r) => [r, []]));
let offset = 0;
const report = (s: Server, round: number, r: RunResult) => {
    results.get(s.root)!.push(r);
    const parts = Object.entries(r.perRequestMs).filter(([, ms]) => ms >= 0.005).map(([k, ms]) => `${k} ${ms.toFixed(3)}`).join(', ');
    console.log(`${s.root} round ${round}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, errors ${r.errors}; CPU ms/request: ${parts}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
};
for (let round = 0; round < ROUNDS; round++) {
  if (SIMULTANEOUS) {
    // Every server under load at once (--connections each), so all see the same machine; loadgen is then the shared generator's.
    const runs = await Promise.all(servers.map((s, i) => run(s, admin, distinct.slice(offset + i * REQUESTS, offset + (i + 1) * REQUESTS))));
    offset = (offset + servers.length * REQUESTS) % (distinct.length - servers.length * REQUESTS);
    runs.forEach((r, i) => report(servers[i]!, round, r));
    continue;
  }
  for (const s of round % 2 ? [...servers].reverse() : servers) {
    const r = await run(s, admin, distinct.slice(offset, offset + REQUESTS));
    offset = (offset + REQUESTS) % (distinct.length - REQUESTS);
    report(s, round, r);
  }
}
const summaries: unknown[] = [];
for (const [root, runs] of results) {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.perRequestMs)))];
  const mean = (f: (r: RunResult) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  const nodeTotal = mean((r) => Object.entries(r.perRequestMs).filter(([k]) => k.startsWith('node:') && !k.endsWith('.sys')).reduce((a, [, v]) => a + v, 0));
  summaries.push({ root, runs: runs.length, requestsPerSecond: mean((r) => r.rps), cpuMsPerRequest: Object.fromEntries(keys.map((k) => [k, mean((r) => r.perRequestMs[k] ?? 0)])), nodeCpuMsPerRequest: nodeTotal });
  console.log(`${root}: mean of ${runs.length} runs of ${REQUESTS} at c=${CONNECTIONS}: ${mean((r) => r.rps).toFixed(0)} req/s; CPU ms/request: ${keys.map((k) => `${k} ${mean((r) => r.perRequestMs[k] ?? 0).toFixed(3)}`).join(', ')}; node total ${nodeTotal.toFixed(3)}`);
}
for (const s of servers) {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.on('exit', r));
}
await admin.end();
printSummary('api-cpu', { requests: REQUESTS, connections: CONNECTIONS, rounds: ROUNDS, simultaneous: SIMULTANEOUS, roots: summaries });
