// Sustained mixed load (80% reads) with autocannon against a server in its own process, on 127.0.0.1 only.
// The rate is found first (the most connections whose short probe keeps p99 under the target), then held.
import autocannon from 'autocannon';

export interface MixedLoadTarget {
  url: string;
  key: string;
  /** Ids the reads and updates are spread over. */
  ids: string[];
}

export interface LoadFigures {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers other than 2xx, and requests with no answer. */
  non2xx: number;
  failed: number;
  statuses: Record<string, number>;
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

export async function mixedLoad(target: MixedLoadTarget, connections: number, seconds: number): Promise<LoadFigures> {
  let n = 0;
  const latencies: number[] = [];
  const nextRequest = () => {
    const i = n++;
    const id = target.ids[(i * 7919) % target.ids.length]!;
    const slot = i % 10;
    // 8 reads in 10: gets spread over the ids and a page of the list; 2 writes: an update and a create.
    // autocannon hands back the last request object: every field is set each time, so no body leaks into a GET.
    const read = { 'x-api-key': target.key };
    const write = { ...read, 'content-type': 'application/json' };
    if (slot < 6) return { method: 'GET', path: `/api/v1/avatars/${id}`, headers: read, body: undefined };
    if (slot < 8) return { method: 'GET', path: '/api/v1/avatars?limit=20', headers: read, body: undefined };
    if (slot === 8)
      return { method: 'PUT', path: `/api/v1/avatars/${id}`, headers: write, body: JSON.stringify({ description: `load ${i}` }) };
    return { method: 'POST', path: '/api/v1/avatars', headers: write, body: JSON.stringify({ name: `load ${i}`, tier: 'stylized_3d' }) };
  };
  const instance = autocannon({
    url: target.url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [{ setupRequest: (request) => ({ ...request, ...nextRequest() }) }],
  } as Parameters<typeof autocannon>[0]);
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statuses[code] = count;
  return {
    connections,
    seconds,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    non2xx: result.non2xx,
    failed: result.errors + result.timeouts,
    statuses,
  };
}

/** Short probes at 1, 2, 4 ... connections; answers the probes and the busiest one whose p99 stayed under the target. */
export async function findSustainableConnections(target: MixedLoadTarget, p99TargetMs: number, probeSeconds: number, most = 32) {
  const probes: LoadFigures[] = [];
  let best: LoadFigures | null = null;
  for (let c = 1; c <= most; c *= 2) {
    const probe = await mixedLoad(target, c, probeSeconds);
    probes.push(probe);
    if (probe.p99Ms >= p99TargetMs || probe.non2xx > 0) break;
    if (!best || probe.rps > best.rps) best = probe;
  }
  return { probes, connections: best?.connections ?? 1 };
}
