// ITA: the IIT and EIT surveys (public side) and the staff page that issues IIT links and shows the EIT link and QR code.
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';

export function itaSurveyRoutes(_app: FastifyInstance, _deps: WebDeps): void {}
