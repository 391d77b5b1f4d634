// ITA: the public results pages (published cycles only).
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';

export function itaPublicRoutes(_app: FastifyInstance, _deps: WebDeps): void {}
