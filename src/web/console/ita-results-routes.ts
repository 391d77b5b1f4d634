// ITA: results with charts and CSV, past years' scores, the measures plan, progress and the monitoring report PDF.
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';

export function itaResultsRoutes(_app: FastifyInstance, _deps: WebDeps): void {}
