// npm run bench:abuse — the API under abuse, against a real server (NODE_ENV=production,
// TRUST_PROXY=loopback, default limits) on the 98,908-row sample in PostgreSQL. Normal
// traffic (distinct searches from many client addresses at concurrency 64) runs once alone
// and once while abusive requests arrive. Then the hardening cases: /metrics after 1,000
// distinct operation names, and the statements left running by a client that hangs up on
// slow operations. Prints figures; asserts nothing.
// HEADLINES_SAMPLE_CSV: the sample's path (required: query texts come from it).
// BENCH_CORPUS_URL: the loaded sample (default hs_bench_corpus next to BENCH_DATABASE_URL).
// BENCH_SECONDS (60) per phase, BENCH_ABUSE_RATE (5) requests/s per abuse stream, BENCH_PORT (0),
// BENCH_NODE_ARGS: extra node options for the server (e.g. --cpu-prof), BENCH_LOG_LEVEL (info).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { checkOperationLimits } from '../src/graphql/check-operation-limits.ts';
import { ADMIN_URL } from './support/bench-databases.ts';
import { percentile } from './support/stats.ts';
import { printSummary } from './support/bench-options.ts';
import { benchFile } from './support/reference-files.ts';

const SAMPLE = benchFile('HEADLINES_SAMPLE_CSV');
const ROWS = 98_908;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const ABUSE_RATE = Number(process.env.BENCH_ABUSE_RATE ?? 5);
const FLOOD_RATE = 50;
const CONNECTIONS = 64;
const SLOW_SOCKETS = 200;

const SEARCH = 'query Search($q: String!) { search(query: $q, first: 10) { edges { similarity node { id text publishedOn } } } }';
const lines = fs.readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1);
// Distinct query texts that are not corpus rows verbatim: headlines with their first word dropped.
const queries = lines.filter((_, i) => i % 7 === 3).map((l) => l.slice(9).split(' ').slice(1).join(' ')).filter((q) => q.split(' ').length >= 3);
let nextQuery = 0;
const ip = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const normalBody = () => JSON.stringify({ query: SEARCH, variables: { q: queries[nextQuery++ % queries.length] } });

// ---- the abusive documents -------------------------------------------------------------
const aliasBomb = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: search(query: "bushfire threatens homes", first: 100) { edges { node { id text } } }`).join(' ')} }`;
const twelveTimelines = `{ ${Array.from({ length: 12 }, (_, i) => `t${i}: timeline(query: "bushfire threatens homes", top: 5000, bucket: DAY) { period count }`).join(' ')} }`;
// Documents start with a distinct comment per request, so that none is served from Apollo's
// cache of validated documents (comments are not tokens).
const ABUSE: Record<string, (n: number) => string> = {
  'alias bomb (500 × search(first: 100), 45 kB)': (n) => JSON.stringify({ query: `# ${n}\n${aliasBomb}` }),
  'deep document (400 levels)': (n) => JSON.stringify({ query: `# ${n}\n{ search(query: "x") ${'{ edges '.repeat(400)}${'}'.repeat(401)} }` }),
  'deep introspection (__schema cycles)': (n) => JSON.stringify({ query: `# ${n}\n{ __schema { types ${'{ fields { type '.repeat(30)}{ name }${' } }'.repeat(30)} } }` }),
  'long document (60 kB, 5,400 fields)': (n) => JSON.stringify({ query: `# ${n}\n{ ${'__typename '.repeat(5400)}}` }),
  'duplicate fields at the limits (accepted)': (n) => JSON.stringify({ query: `# ${n}\n{ search(query: "storm damage", first: 1) { edges { ${'node { id } '.repeat(95)}} } }` }),
  'twelve aliased timeline(top: 5000, bucket: DAY)': (n) => JSON.stringify({ query: `# ${n}\n${twelveTimelines}` }),
  'batched array (100 operations)': () => JSON.stringify(Array.from({ length: 100 }, () => ({ query: SEARCH, variables: { q: 'floods' } }))),
  '64 kB body (63 kB query text)': () => JSON.stringify({ query: SEARCH, variables: { q: 'x'.repeat(63_000) } }),
  'over 64 kB body': () => JSON.stringify({ query: SEARCH, variables: { q: 'x'.repeat(70_000) } }),
  'malformed JSON': () => `{"query": "${SEARCH.replace(/"/g, '\\"')}", "variables": {"q": "floods"`,
};

// ---- the server ---------------------------------------------------------------------------
async function corpusUrl(): Promise<string> {
  const url = process.env.BENCH_CORPUS_URL ?? Object.assign(new URL(ADMIN_URL), { pathname: '/hs_bench_corpus' }).toString();
  const c = new pg.Client({ connectionString: url });
  const n = await c.connect().then(() => c.query('select count(*)::int as n from headlines')).then((r) => r.rows[0].n as number, () => 0);
  await c.end().catch(() => undefined);
  if (n !== ROWS) {
    console.error(`${url.replace(/:[^:@/]*@/, ':***@')} does not hold the ${ROWS}-row sample; load it first (npm run bench:query does, or: headlines ingest ${SAMPLE}) or set BENCH_CORPUS_URL`);
    process.exit(1);
  }
  return url;
}

/**
 * The server logs every request (JSON lines, as in production) to a file, as it would to a
 * log collector: writes to a pipe are synchronous in Node, and this busy process would be a
 * slow reader that stalls the server.
 */
async function startServer(env: Record<string, string>, logFile: string): Promise<{ child: ChildProcess; url: string; exited: () => boolean }> {
  const log = fs.openSync(logFile, 'w');
  const nodeArgs = ['--expose-gc', '--import', './bench/gc-on-signal.mjs', ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', process.env.BENCH_PORT ?? '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', log] });
  fs.closeSync(log);
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  const listening = () => /localhost:(\d+)\/graphql/.exec(fs.readFileSync(logFile, 'utf8').slice(0, 100_000));
  while (!listening()) {
    if (Date.now() > deadline || exited) throw new Error(`server did not start:\n${fs.readFileSync(logFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${listening()![1]}`, exited: () => exited };
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/**
 * After a full garbage collection in the server: RSS, and from its own metrics the V8 heap
 * in use and reserved (by space) and memory outside the heap held by JS objects (MB).
 */
async function memory(url: string, pid: number): Promise<string> {
  process.kill(pid, 'SIGUSR2');
  await sleep(1000);
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
  const mb = (name: string) => f1(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1]) / 2 ** 20);
  const spaces = ['new', 'old', 'large_object'].map((space) => `${space} ${mb(`nodejs_heap_space_size_total_bytes\\{space="${space}"\\}`)}`).join(', ');
  return `RSS ${f1(rssMb(pid))} MB (V8 heap in use ${mb('nodejs_heap_size_used_bytes')}, reserved ${mb('nodejs_heap_size_total_bytes')}: ${spaces}; external ${mb('nodejs_external_memory_bytes')})`;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- clients --------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true });

interface Reply {
  status: number;
  ms: number;
  code: string;
  retryAfter: string | undefined;
}

function request(url: string, method: string, body: string | null, headers: Record<string, string> = {}, via: http.Agent = agent): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(`${url}`, { method, agent: via, headers: body === null ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? (res.statusCode === 200 && !text.includes('"errors"') ? 'ok' : String(res.statusCode));
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, code, retryAfter: res.headers['retry-after'] });
      });
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started, code: 'connection error', retryAfter: undefined }));
    req.end(body ?? undefined);
  });
}

class Tally {
  readonly ms: number[] = [];
  readonly codes = new Map<string, number>();
  fivexx = 0;
  retryAfterMissing = 0;
  add(reply: Reply): void {
    this.ms.push(reply.ms);
    this.codes.set(reply.code, (this.codes.get(reply.code) ?? 0) + 1);
    if (reply.status >= 500) this.fivexx++;
    if ((reply.status === 429 || reply.status === 503) && !reply.retryAfter) this.retryAfterMissing++;
  }
  get count(): number {
    return this.ms.length;
  }
  codesText(): string {
    return [...this.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  }
}

/** Distinct searches at concurrency 64, each request from one of 4,096 client addresses. */
async function normalTraffic(url: string, seconds: number, connections = CONNECTIONS): Promise<{ rps: number; p50: number; p99: number; statuses: Map<number, number> }> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let client = 0;
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip(client++ % 4096) }, body: normalBody() }) }],
    setupClient: (c) =>
      c.on('response', (status: number, _bytes: number, time: number) => {
        latencies.push(time);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
  });
  return { rps: result.requests.average, p50: percentile(latencies, 50), p99: percentile(latencies, 99), statuses };
}

/**
 * One abuse stream: `rate` requests per second whatever the answers (open loop), each from
 * the next of 1,024 client addresses (`firstAddress` + n), or from `fixedAddress`. Its own
 * connections, so that round trips are the server's and not a client-side queue.
 */
async function abuseStream(url: string, body: (n: number) => string, rate: number, until: number, tally: Tally, firstAddress: number, fixedAddress?: string): Promise<void> {
  const own = new http.Agent({ keepAlive: true });
  let n = 0;
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  while (Date.now() < until) {
    const payload = body(n);
    const p = request(`${url}/graphql`, 'POST', payload, { 'x-forwarded-for': fixedAddress ?? ip(firstAddress + (n % 1024)) }, own).then((r) => {
      tally.add(r);
      inFlight.delete(p);
    });
    inFlight.add(p);
    n++;
    await sleep(Math.max(0, started + (n * 1000) / rate - Date.now()));
  }
  await Promise.all(inFlight);
  own.destroy();
}

/** Slow senders: sockets that send headers, then one body byte a second, reopened when the server closes them. */
async function slowloris(url: string, until: number): Promise<{ opened: number; answered408: number; closedWithoutAnswer: number; heldSeconds: number[] }> {
  const { port } = new URL(url);
  const stats = { opened: 0, answered408: 0, closedWithoutAnswer: 0, heldSeconds: [] as number[] };
  const open = new Set<net.Socket>();
  // One timer for all sockets: a byte each a second, and the end of the run.
  const drip = setInterval(() => {
    for (const socket of open) {
      if (Date.now() >= until) socket.destroy();
      else if (socket.writable) socket.write(' ');
    }
  }, 1000);
  const one = (n: number) =>
    new Promise<void>((resolve) => {
      const opened = performance.now();
      stats.opened++;
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: 2000\r\nX-Forwarded-For: ${ip(200_000 + n)}\r\n\r\n{`);
      });
      open.add(socket);
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        stats.heldSeconds.push((performance.now() - opened) / 1000);
        if (answer.startsWith('HTTP/1.1 408')) stats.answered408++;
        else stats.closedWithoutAnswer++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: SLOW_SOCKETS }, async (_, i) => {
      while (Date.now() < until) await one(i);
    }),
  );
  clearInterval(drip);
  return stats;
}

/** /healthz and /readyz every 100 ms, on their own connections. */
async function probeHealth(url: string, until: number): Promise<{ healthz: number[]; readyz: number[]; failures: number }> {
  const out = { healthz: [] as number[], readyz: [] as number[], failures: 0 };
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const get = (p: string) =>
    new Promise<{ status: number; ms: number }>((resolve) => {
      const started = performance.now();
      http.get(`${url}${p}`, { agent: probeAgent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      }).on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    });
  while (Date.now() < until) {
    const [h, r] = await Promise.all([get('/healthz'), get('/readyz')]);
    out.healthz.push(h.ms);
    out.readyz.push(r.ms);
    if (h.status !== 200 || r.status !== 200) out.failures++;
    await sleep(100);
  }
  return out;
}

async function rejectionTimes(url: string, body: (n: number) => string, n: number): Promise<Tally> {
  const tally = new Tally();
  for (let i = 0; i < n; i++) tally.add(await request(`${url}/graphql`, 'POST', body(1_000_000 + i), { 'x-forwarded-for': ip(100_000 + i) }));
  return tally;
}

// ---- hardening cases ---------------------------------------------------------------------
async function metricsSize(url: string): Promise<{ lines: number; bytes: number }> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  return { lines: text.split('\n').length, bytes: Buffer.byteLength(text) };
}

/** /metrics before and after `n` requests each with an operation name of its own. */
async function distinctOperationNames(url: string, n: number): Promise<{ before: { lines: number; bytes: number }; after: { lines: number; bytes: number }; codes: string }> {
  const before = await metricsSize(url);
  const tally = new Tally();
  for (let i = 0; i < n; i++) tally.add(await request(`${url}/graphql`, 'POST', JSON.stringify({ query: `query Op${i}X { headline(id: "1") { id } }` }), { 'x-forwarded-for': ip(400_000 + i) }));
  return { before, after: await metricsSize(url), codes: tally.codesText() };
}

/**
 * `n` slow operations sent at once (a timeline of the top 5,000 by day each, within the
 * budget), the client hanging up on each once it is sent; meanwhile the corpus database's
 * running statements (pg_stat_activity) are sampled until none is left.
 */
async function hangUps(url: string, databaseUrl: string, n: number): Promise<{ peak: number; samples: number; seconds: number }> {
  const observer = new pg.Client({ connectionString: databaseUrl });
  await observer.connect();
  const running = async () => (await observer.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`)).rows[0]!.n;
  let peak = 0;
  let samples = 0;
  let sampling = true;
  const started = performance.now();
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await running());
      samples++;
      await sleep(5);
    }
  })();
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const body = JSON.stringify({ query: `{ timeline(query: ${JSON.stringify(queries[i % queries.length])}, top: 5000, bucket: DAY) { period count } }` });
      return new Promise<void>((resolve) => {
        const req = http.request(`${url}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': ip(500_000 + i) } });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.end(body, () => setTimeout(() => req.destroy(), 50));
      });
    }),
  );
  // The work the hung-up operations started goes on until it ends: sample until none is left.
  for (let quiet = 0; quiet < 20; await sleep(20)) quiet = (await running()) === 0 ? quiet + 1 : 0;
  sampling = false;
  await sampler;
  await observer.end();
  return { peak, samples, seconds: (performance.now() - started) / 1000 };
}

const f1 = (x: number) => x.toFixed(1);
const healthText = (h: Awaited<ReturnType<typeof probeHealth>>) =>
  `/healthz p50 ${f1(percentile(h.healthz, 50))} ms, p99 ${f1(percentile(h.healthz, 99))} ms, max ${f1(Math.max(...h.healthz))} ms; /readyz p50 ${f1(percentile(h.readyz, 50))} ms, p99 ${f1(percentile(h.readyz, 99))} ms, max ${f1(Math.max(...h.readyz))} ms; ${h.failures} failed probes`;

// ---- run ------------------------------------------------------------------------------
const corpus = await corpusUrl();
const dataDir = process.env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-abuse-'));
const logFile = path.join(dataDir, 'bench-abuse-server.log');
const server = await startServer({ DATABASE_URL: corpus, DATA_DIR: dataDir, NODE_ENV: 'production', TRUST_PROXY: 'loopback', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' }, logFile);
const pid = server.child.pid!;
const config = parseConfig({ ...process.env, NODE_ENV: 'production' });
console.log(`bench:abuse  ${ROWS} headlines, real PostgreSQL; ${os.availableParallelism()} cores, Node ${process.versions.node}; NODE_ENV=production, TRUST_PROXY=loopback, default limits; ${SECONDS} s per phase`);
console.log(`limits: ${JSON.stringify(config.operationLimits)}; rate ${config.rateLimit.perMinute}/min burst ${config.rateLimit.burst}; ${config.concurrency.maxInFlight} operations in flight, queue ${config.concurrency.queueTimeoutMs} ms; request timeout ${config.requestTimeoutMs} ms`);

// The check itself, in process: what every request pays, and what a bomb costs.
const limits = config.operationLimits;
const timeCheck = (body: { query: string; variables?: Record<string, unknown> }, n: number) => {
  const check = () => {
    try {
      checkOperationLimits(body, limits);
    } catch {
      // refused: what the bomb is for
    }
  };
  for (let i = 0; i < n / 10; i++) check();
  const started = performance.now();
  for (let i = 0; i < n; i++) check();
  return ((performance.now() - started) / n) * 1000;
};
console.log(`operation-limit check in process: ${f1(timeCheck({ query: SEARCH, variables: { q: 'floods' } }, 20_000))} µs per normal search operation; ${f1(timeCheck({ query: aliasBomb }, 200) / 1000)} ms for the 500-alias bomb`);

await normalTraffic(server.url, Math.min(10, SECONDS)); // warm-up: JIT, model, connections
process.kill(pid, 'SIGUSR2');
await sleep(1000);
const rssStart = rssMb(pid);

const unloaded = new Map<string, Tally>();
for (const [name, body] of Object.entries(ABUSE)) if (!name.includes('accepted')) unloaded.set(name, await rejectionTimes(server.url, body, 200));
console.log('\nrefusals, unloaded server (200 sequential requests each, client-measured round trip on a kept-alive connection):');
for (const [name, t] of unloaded) console.log(`  ${name}: ${t.codesText()}; p50 ${f1(percentile(t.ms, 50))} ms, p99 ${f1(percentile(t.ms, 99))} ms`);

const names = await distinctOperationNames(server.url, 1000);
console.log(`\n/metrics: ${names.before.lines.toLocaleString('en-US')} lines, ${names.before.bytes.toLocaleString('en-US')} bytes; after 1,000 requests with distinct operation names (${names.codes}): ${names.after.lines.toLocaleString('en-US')} lines, ${names.after.bytes.toLocaleString('en-US')} bytes`);
const HANG_UPS = 60;
const hung = await hangUps(server.url, corpus, HANG_UPS);
console.log(`hang-ups: ${HANG_UPS} timeline(top: 5000, bucket: DAY) sent at once, the client gone 50 ms after each; peak running statements in pg_stat_activity ${hung.peak} (MAX_CONCURRENT_OPERATIONS ${config.concurrency.maxInFlight}, pool 8), ${hung.samples} samples over ${f1(hung.seconds)} s until none was left`);

const [baseline, baselineHealth] = await Promise.all([normalTraffic(server.url, SECONDS), probeHealth(server.url, Date.now() + SECONDS * 1000)]);
const memoryBefore = await memory(server.url, pid);
const rssBefore = rssMb(pid);
console.log(`\nnormal traffic alone, concurrency ${CONNECTIONS}, 4,096 client addresses: ${baseline.rps.toFixed(0)} req/s; p50 ${f1(baseline.p50)} ms, p99 ${f1(baseline.p99)} ms; statuses ${JSON.stringify(Object.fromEntries(baseline.statuses))}`);
console.log(`health meanwhile: ${healthText(baselineHealth)}`);

const until = Date.now() + SECONDS * 1000;
const streams = new Map<string, Tally>();
const abuse = Object.entries(ABUSE).map(([name, body], i) => {
  const tally = new Tally();
  streams.set(name, tally);
  return abuseStream(server.url, body, ABUSE_RATE, until, tally, 300_000 + i * 1024);
});
const floodTally = new Tally();
streams.set(`one client address sending ${FLOOD_RATE} searches/s`, floodTally);
abuse.push(abuseStream(server.url, normalBody, FLOOD_RATE, until, floodTally, 0, '192.0.2.66'));
const [during, , slow, health] = await Promise.all([normalTraffic(server.url, SECONDS), Promise.all(abuse), slowloris(server.url, until), probeHealth(server.url, until)]);

// Read right after the abuse, and again after 15 s of light traffic (4 clients).
await sleep(2000);
const memoryAfter = [`right after it: ${server.exited() ? 'n/a' : await memory(server.url, pid)}`];
if (!server.exited()) {
  await normalTraffic(server.url, 15, 4);
  memoryAfter.push(`after 15 s of light traffic: ${await memory(server.url, pid)}`);
}
const crashed = server.exited();
const rssAfter = crashed ? Number.NaN : rssMb(pid);
const metrics = crashed ? '' : await fetch(`${server.url}/metrics`).then((r) => r.text());
server.child.kill('SIGTERM');

console.log(`\nnormal traffic during abuse: ${during.rps.toFixed(0)} req/s; p50 ${f1(during.p50)} ms, p99 ${f1(during.p99)} ms (${f1(during.p99 / baseline.p99)}× unloaded p99); statuses ${JSON.stringify(Object.fromEntries(during.statuses))}`);
console.log(`abuse streams (${ABUSE_RATE} requests/s each from 1,024 rotating client addresses, unless said), answers and round trip:`);
let abuse5xx = 0;
for (const [name, t] of streams) {
  abuse5xx += t.fivexx;
  console.log(`  ${name}: ${t.count} sent; ${t.codesText()}; p50 ${f1(percentile(t.ms, 50))} ms, p99 ${f1(percentile(t.ms, 99))} ms${t.retryAfterMissing ? `; ${t.retryAfterMissing} without Retry-After` : ''}`);
}
console.log(`  slow bodies (${SLOW_SOCKETS} sockets, 1 byte/s): ${slow.opened} opened, ${slow.answered408} answered 408, ${slow.closedWithoutAnswer} cut at the end of the run; held ${f1(percentile(slow.heldSeconds, 50))} s (p50), ${f1(Math.max(...slow.heldSeconds))} s (max)`);
console.log(`health during abuse: ${healthText(health)}`);
const normal5xx = [...baseline.statuses, ...during.statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
console.log(`5xx answers: ${normal5xx + abuse5xx}; server ${crashed ? 'CRASHED' : 'still running'}`);
console.log(`server memory, each after a full GC: RSS ${f1(rssStart)} MB after warm-up; before the abuse ${memoryBefore}; ${memoryAfter.join('; ')}; RSS change ${f1(((rssAfter - rssBefore) / rssBefore) * 100)}%`);
console.log(`server log: ${fs.statSync(logFile).size.toLocaleString('en-US')} bytes of JSON lines in ${logFile}`);
console.log(`rejection counter: ${[...metrics.matchAll(/headline_search_rejected_requests_total\{reason="(\w+)"\} (\d+)/g)].filter((m) => m[2] !== '0').map((m) => `${m[1]} ${m[2]}`).join(', ')}`);
agent.destroy();
printSummary('abuse', {
  metricsLines: { before: names.before.lines, afterDistinctNames: names.after.lines },
  refusalP50Ms: Object.fromEntries([...unloaded].map(([name, t]) => [name, percentile(t.ms, 50)])),
  hangUpsPeakRunningStatements: hung.peak,
  baseline: { rps: baseline.rps, p50Ms: baseline.p50, p99Ms: baseline.p99 },
  duringAbuse: { rps: during.rps, p50Ms: during.p50, p99Ms: during.p99 },
  answers5xx: normal5xx + abuse5xx,
  crashed,
  rssChangePercent: ((rssAfter - rssBefore) / rssBefore) * 100,
});
