// The OpenAPI 3.1 description of the JSON API, written from the same table that registers its
// routes (routes.ts), so the document cannot drift from what is served.
import type { Operation } from './routes.ts';
import { schemas } from './schemas.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The path and query parameters of an operation. */
function parametersOf(op: Operation) {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = Object.entries(op.query ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema,
  }));
  return [...params, ...query];
}

/** Every answer an operation may give: its success, then the problems that apply to it. */
function responsesOf(op: Operation) {
  const isLogin = op.id === 'openReporterSession' || op.id === 'staffLogin';
  return {
    [op.status]: op.response
      ? {
          description: 'OK',
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.response}` } } },
        }
      : { description: 'No content' },
    400: problem('Malformed or invalid input'),
    ...(op.auth !== 'none' || op.id.endsWith('Session') || op.id === 'staffLogin'
      ? { 401: problem('Not authenticated') }
      : {}),
    ...(op.path.includes('{reference}') ? { 404: problem('No such case for this caller') } : {}),
    ...(op.path.includes('/datasets/') ? { 404: problem('No such dataset or release') } : {}),
    ...(op.cache ? { 304: { description: 'Not modified: the ETag sent in If-None-Match is current' } } : {}),
    ...(op.id === 'submitReport'
      ? {
          409: problem('This filing ticket was used already: get a new one'),
          429: problem(
            'Under load: wait Retry-After seconds with this ticket, or send its proof of work; nothing was stored',
          ),
        }
      : {}),
    413: problem('Body too large'),
    ...(op.body ? { 415: problem('Body not application/json') } : {}),
    ...(isLogin
      ? {
          429: problem(
            'Too many wrong guesses just now (platform-wide, or on this account): refused before any work; retry after Retry-After seconds',
          ),
        }
      : {}),
    503: problem('Database unavailable: nothing was stored; retry after Retry-After seconds'),
  };
}

/** One operation as an OpenAPI operation object. */
function operationDoc(op: Operation) {
  const parameters = parametersOf(op);
  return {
    operationId: op.id,
    summary: op.summary,
    ...(op.auth === 'none'
      ? { security: [] }
      : { security: [{ [op.auth === 'staff' ? 'staffToken' : 'reporterToken']: [] }] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` } } },
          },
        }
      : {}),
    responses: responsesOf(op),
  };
}

/** The OpenAPI 3.1 description of the operations. */
export function openApiDocument(ops: Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    paths[`/api/v1${op.path}`] ??= {};
    paths[`/api/v1${op.path}`][op.method.toLowerCase()] = operationDoc(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sujarit API',
      version: '1',
      description:
        'Anonymous reporting and case handling. Times are to the minute. Errors are application/problem+json.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        reporterToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'From openReporterSession; expires after 30 minutes',
        },
        staffToken: { type: 'http', scheme: 'bearer', description: 'From staffLogin; expires after 8 hours' },
      },
    },
  };
}
