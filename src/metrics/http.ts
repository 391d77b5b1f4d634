// Requests and their latency by route group, for /metrics. A request is labelled with the route's
// pattern as registered (`/followup/:code`, never the URL asked for, which can carry a tracking
// code or a receipt), its method and its status class: nothing that tells one reporter from another.
// The instruments live in prom-client's global registry, which a cluster worker hands to the
// first process on request (AggregatorRegistry), so /metrics sums them over the workers.
import cluster from 'node:cluster';
import client from 'prom-client';

/** The label of a request that matched no route: the URL itself is never a label. */
export const UNMATCHED_ROUTE = '(unmatched)';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

let instruments: { requests: client.Counter<string>; seconds: client.Histogram<string> } | null = null;

function instrumentsOf() {
  if (instruments) return instruments;
  const labelNames = ['route', 'method', 'status'];
  instruments = {
    requests: new client.Counter({
      name: 'sujarit_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status class',
      labelNames,
    }),
    seconds: new client.Histogram({
      name: 'sujarit_http_request_duration_seconds',
      help: 'Time from a request received to its answer sent, by route pattern, method and status class',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
  };
  client.collectDefaultMetrics({ prefix: 'sujarit_' });
  // A worker answers the first process's requests for its metrics (prom-client's cluster protocol).
  if (cluster.isWorker) new client.AggregatorRegistry();
  return instruments;
}

/**
 * Counts one answered request. `route` is the matched route's pattern (Fastify's
 * `req.routeOptions.url`), undefined when no route matched.
 */
export function recordRequest(route: string | undefined, method: string, status: number, ms: number): void {
  const { requests, seconds } = instrumentsOf();
  const labels = {
    route: route ?? UNMATCHED_ROUTE,
    method: METHODS.has(method) ? method : 'OTHER',
    status: `${Math.floor(status / 100)}xx`,
  };
  requests.inc(labels);
  seconds.observe(labels, ms / 1000);
}

/** Starts the instruments, so that /metrics names them before the first request. */
export function startHttpMetrics(): void {
  instrumentsOf();
}

/** This process's own metrics (a single process, or a worker's share). */
export function processMetrics(): Promise<string> {
  return client.register.metrics();
}

/** Every worker's metrics summed (prom-client's AggregatorRegistry, asked from the first process). */
export function clusterMetrics(): Promise<string> {
  return new client.AggregatorRegistry().clusterMetrics();
}
