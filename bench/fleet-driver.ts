/**
 * The load generator of the fleet benchmark, in its own process: simulated locals poll a
 * central's `history` on a compressed schedule (open loop: each local fires at its times whatever
 * the answers take), and the downloaders also fetch the `data.gz` of the next version they are
 * behind on, as a local syncs one version per step. Keep-alive node:http (fetch costs more CPU).
 * Usage: node --import tsx bench/fleet-driver.ts <plan.json> <warmup|run>; prints one JSON line.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';

export interface FleetPlan {
  url: string;
  /** Seconds between two polls of one local, and of the measured run. */
  interval: number;
  duration: number;
  versions: { name: string; hashCode: string }[];
  locals: {
    systemId: string;
    name: string;
    authorization: string;
    baseline: string;
    downloads: boolean;
  }[];
}

export interface EndpointStats {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
}

// BENCH_NICE: see bench/fleet-one.ts.
if (process.env.BENCH_NICE) os.setPriority(Number(process.env.BENCH_NICE));
const plan = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as FleetPlan;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const hashOf = new Map(plan.versions.map((v) => [v.name, v.hashCode]));
const latest = plan.versions.at(-1)!.name;

interface Answer {
  status: number;
  body: Buffer;
  ms: number;
}

function get(path: string, headers: Record<string, string>): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(plan.url + path, { agent, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(parts),
          ms: performance.now() - t0,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

class Recorder {
  readonly ms: number[] = [];
  errors = 0;
  readonly samples: string[] = [];
  fail(why: string) {
    this.errors++;
    if (this.samples.length < 5) this.samples.push(why);
  }
  stats(): EndpointStats {
    const s = [...this.ms].sort((a, b) => a - b);
    const at = (q: number) =>
      Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1));
    return {
      requests: s.length + this.errors,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: at(1),
      errors: this.errors,
    };
  }
}

const history = new Recorder();
const dataGz = new Recorder();
let md5Checks = 0;
let downloads = 0;
let gzBytes = 0;
let measuring = false;
const lag: number[] = [];

/** One poll of one local: history, and for a downloader the next version's data.gz. */
async function poll(local: FleetPlan['locals'][number], state: { baseline: string }) {
  const headers = {
    authorization: local.authorization,
    'x-metasync-system-id': local.systemId,
    'x-metasync-system-name': encodeURIComponent(local.name),
    accept: 'application/json',
  };
  const rec = measuring;
  try {
    const query = state.baseline ? `?baseline=${encodeURIComponent(state.baseline)}` : '';
    const h = await get(`/api/metadata/version/history${query}`, headers);
    if (h.status !== 200) return void (rec && history.fail(`history ${h.status}`));
    if (rec) history.ms.push(h.ms);
    if (!local.downloads) return;
    const newer = (JSON.parse(h.body.toString()) as { metadataversions: { name: string }[] })
      .metadataversions;
    const next = newer[0]?.name;
    if (!next) return;
    const d = await get(`/api/metadata/version/${encodeURIComponent(next)}/data.gz`, {
      ...headers,
      'accept-encoding': 'gzip',
      accept: 'application/gzip',
    });
    if (d.status !== 200) return void (rec && dataGz.fail(`data.gz ${d.status}`));
    if (rec) dataGz.ms.push(d.ms);
    if (rec) gzBytes += d.body.length;
    // The first and every 10th download are checked end to end: gunzip, MD5, listed hashCode.
    if (downloads++ % 10 === 0) {
      md5Checks++;
      const md5 = createHash('md5').update(gunzipSync(d.body)).digest('hex');
      if (md5 !== hashOf.get(next)) dataGz.fail(`md5 of ${next}: ${md5} ≠ ${hashOf.get(next)}`);
    }
    // Synced one version; at the newest, start over as a freshly installed local would (no
    // baseline: its next download is Version_1, the full snapshot; the others are increments).
    state.baseline = next === latest ? '' : next;
  } catch (e) {
    if (rec) history.fail(`socket: ${(e as Error).message}`);
  }
}

const states = plan.locals.map((l) => ({ baseline: l.baseline }));

// Warm-up (its own invocation, so that the central's metrics can be read in between): every
// local polls once, eight at a time. These are the 1,000 first logins (a full
// password hash each), which a real fleet spreads over hours; the run measures steady polling.
if (process.argv[3] === 'warmup') {
  const w0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < plan.locals.length) {
        const i = next++;
        await poll(plan.locals[i]!, states[i]!);
      }
    }),
  );
  agent.destroy();
  console.log(JSON.stringify({ warmupSeconds: (performance.now() - w0) / 1000 }));
  process.exit(0);
}

// The measured run: local i polls at i/n of the interval, then every interval.
measuring = true;
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const t0 = performance.now();
const inflight = new Set<Promise<void>>();
const n = plan.locals.length;
const period = (plan.interval * 1000) / n;
for (let k = 0; ; k++) {
  const due = k * period;
  if (due >= plan.duration * 1000) break;
  const wait = t0 + due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  lag.push(Math.max(0, performance.now() - t0 - due));
  const p = poll(plan.locals[k % n]!, states[k % n]!);
  inflight.add(p);
  void p.finally(() => inflight.delete(p));
}
await Promise.all(inflight);
const seconds = (performance.now() - t0) / 1000;
delay.disable();
agent.destroy();
lag.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    seconds,
    history: history.stats(),
    dataGz: dataGz.stats(),
    samples: [...history.samples, ...dataGz.samples],
    md5Checks,
    gzMb: gzBytes / 1024 / 1024,
    // The generator's own health: how late it fired (p99) and its event-loop delay (max).
    lagP99: Number((lag[Math.floor(0.99 * lag.length)] ?? 0).toFixed(1)),
    loopDelayMax: delay.max / 1e6,
  }),
);
