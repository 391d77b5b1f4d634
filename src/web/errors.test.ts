import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusOf, toAppError } from './errors.ts';

describe('toAppError', () => {
  // What node-postgres throws when PostgreSQL refuses a value (the safety net behind validation).
  const pg = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });
  const cases: [string, Error, number][] = [
    ['a NUL in text', pg('22021', 'invalid byte sequence for encoding "UTF8": 0x00'), 400],
    ['text where an integer goes', pg('22P02', 'invalid input syntax for type integer: "1.5"'), 400],
    ['an integer out of range', pg('22003', 'value "99999999999" is out of range for type integer'), 400],
    ['a string too long for its column', pg('22001', 'value too long for type character varying(16)'), 400],
    ['a unique violation', pg('23505', 'duplicate key value violates unique constraint'), 500],
    ['the database down', pg('57P01', 'terminating connection due to administrator command'), 503],
    [
      'an unsupported content type',
      Object.assign(new Error('unsupported'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
      415,
    ],
  ];
  for (const [what, error, status] of cases) {
    it(`answers ${what} with ${status}`, () => {
      const e = toAppError(error);
      assert.equal(statusOf(e), status);
      if (status === 400) assert.equal(e?.userMessage, 'error.bad_request');
    });
  }
});
