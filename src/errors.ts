// The one error type of the domain. web/errors.ts is the only place that maps it to HTTP.

export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable'
  | 'conflict'
  /** Anything unforeseen: shown as a generic error that leaks nothing, logged by message only. */
  | 'internal';

/**
 * `message` is for logs and API clients (English); `userMessage` is an i18n key shown to people.
 * `fields` names the inputs at fault, so a form can be shown again with what was typed.
 * `retryAfterSeconds` tells a refused caller when to try again (sent as Retry-After).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    userMessage: string,
    fields: Record<string, string> = {},
    { retryAfterSeconds }: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.userMessage = userMessage;
    this.fields = fields;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Runs every parser, so that one refusal names every field at fault (not only the first). */
export function parseAll<T extends Record<string, () => unknown>>(parsers: T): { [K in keyof T]: ReturnType<T[K]> } {
  const out: Record<string, unknown> = {};
  const faults: Record<string, string> = {};
  for (const [k, parse] of Object.entries(parsers)) {
    try {
      out[k] = parse();
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'invalid_input') throw e;
      Object.assign(faults, e.fields);
    }
  }
  if (Object.keys(faults).length > 0) throw new AppError('invalid_input', 'invalid fields', 'error.form', faults);
  return out as { [K in keyof T]: ReturnType<T[K]> };
}
