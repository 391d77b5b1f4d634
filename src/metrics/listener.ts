// The /metrics listener: a plain HTTP server of its own, apart from the platform's port, on
// loopback unless configured otherwise (SUJARIT_METRICS_HOST/PORT). It answers GET /metrics only,
// in Prometheus text format: the requests of this process, or of every worker summed when the
// platform runs several (cluster: true), then the database's figures read once (figures.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { Db } from '../db/connection.ts';
import { databaseRegistry } from './figures.ts';
import { clusterMetrics, processMetrics, startHttpMetrics } from './http.ts';

export type MetricsListener = { url: string; stop: () => Promise<void> };

const UP_HELP =
  '# HELP sujarit_database_up Whether the database answered this scrape\n# TYPE sujarit_database_up gauge\n';

/** The whole /metrics text: HTTP metrics (summed over workers when `cluster`), then the database's figures. */
export async function metricsText(registry: client.Registry, cluster: boolean): Promise<string> {
  const http = cluster ? await clusterMetrics() : await processMetrics();
  let figures: string;
  try {
    figures = `${await registry.metrics()}\n${UP_HELP}sujarit_database_up 1\n`;
  } catch {
    // The database is down: the HTTP figures are still worth a scrape, and the outage is one.
    figures = `${UP_HELP}sujarit_database_up 0\n`;
  }
  return `${http.trimEnd()}\n\n${figures}`;
}

/** Starts the listener; resolves once it accepts connections. */
export async function startMetricsListener({
  db,
  host,
  port,
  cluster,
}: {
  db: Db;
  host: string;
  port: number;
  cluster: boolean;
}): Promise<MetricsListener> {
  if (!cluster) startHttpMetrics();
  const registry = databaseRegistry(db);
  let scraping: Promise<string> | null = null;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    // Scrapes at once share one reading: a flood of scrapes costs the database one query set.
    scraping ??= metricsText(registry, cluster).finally(() => {
      scraping = null;
    });
    scraping.then(
      (text) =>
        res.writeHead(200, { 'content-type': client.register.contentType }).end(req.method === 'HEAD' ? '' : text),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.name}\n`),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/metrics`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
