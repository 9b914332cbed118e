// Closed-loop HTTP load against one target: a fixed number of keep-alive connections, each sending its next
// request as soon as the last is answered, for a fixed time. autocannon drives the connections; latencies are
// kept here at full resolution (its own histogram rounds to whole milliseconds).
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** The path of each request, called once per request (to spread gets over many ids). */
  nextPath: () => string;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests that got no answer in TIMEOUT_SECONDS, or whose connection failed (counted, not in the latencies). */
  failed: number;
  /** Every answer's latency, ms, sorted. */
  latenciesMs: Float64Array;
}

const TIMEOUT_SECONDS = 30;

export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: TIMEOUT_SECONDS,
    headers: options.headers,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: options.nextPath() }) }],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const result = await instance;
  // A benchmark of error answers would measure the wrong thing: every answer must be a 2xx.
  if (result.non2xx > 0) {
    throw new Error(
      `${result.non2xx} of ${result.requests.total} answers from ${options.url} were not 2xx: ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  const sorted = Float64Array.from(latencies).sort();
  if (sorted.length === 0) throw new Error(`no answer from ${options.url} in ${options.seconds} s`);
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1]!,
    failed: result.errors + result.timeouts,
    latenciesMs: sorted,
  };
}
