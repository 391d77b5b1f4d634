// ITA: the staff pages of assessment cycles: list, opening, overview, OIT self-check.
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';

export function itaCycleRoutes(_app: FastifyInstance, _deps: WebDeps): void {}
