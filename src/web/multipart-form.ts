// Reads a multipart form (text fields and files) as it streams in. The CSRF token MUST come before
// any file, so nothing is stored for a forged request. Every field is kept whatever goes wrong
// with the files, so the form can be shown again with what the person typed.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { storeUpload, type AttachmentMeta, type StoredFile } from '../intake/attachments.ts';
import type { T } from '../i18n/messages.ts';
import { MAX_FILES, TEXT_LIMITS } from '../intake/limits.ts';
import { checkCsrf } from './csrf.ts';
import { toAppError } from './errors.ts';

export type FileParams = { count: number; fileMb: number; totalMb: number };

/** The file limits that a form's file hint and upload errors name (count, MB per file, MB in all). */
export function fileParamsOf(config: { maxFileBytes: number; maxReportBytes: number }): FileParams {
  return { count: MAX_FILES, fileMb: config.maxFileBytes / 1048576, totalMb: config.maxReportBytes / 1048576 };
}

/**
 * What a report or complaint form shows of a submission: the values typed, the field errors, the
 * alert (translated with the file limits) and whether files must be chosen again.
 */
export function formShown(
  t: T,
  fileParams: FileParams,
  values: Record<string, string>,
  error: AppError | null,
  reselect: boolean,
  alertParams: Record<string, number> = {},
) {
  return {
    limits: TEXT_LIMITS,
    values,
    errors: error?.fields ?? {},
    alert: error ? t(error.userMessage, { ...fileParams, ...alertParams }) : null,
    reselect,
    fileParams,
  };
}

/**
 * `sawFiles`: the request carried at least one file, stored or not (the person must choose it again).
 * `isOwnForm`: a well-formed body that carried this browser's CSRF token: a form of ours, sent by
 * its page (only such a post may leave anything for the browser's next page).
 */
export type MultipartForm = {
  fields: Record<string, string>;
  files: { file: StoredFile; meta: AttachmentMeta }[];
  error: AppError | null;
  sawFiles: boolean;
  isOwnForm: boolean;
};

/**
 * `beforeFiles` decides on the fields read so far, once: at the first file, or at the end when
 * there is none. Its error refuses the form before any file is stored (the fields it needs, like
 * `_csrf`, MUST come before the files in the form).
 */
export async function readMultipartForm(
  req: FastifyRequest,
  {
    db,
    caseKey,
    maxFileBytes,
    maxReportBytes,
    isCsrfChecked = true,
    beforeFiles,
  }: {
    db: Db;
    caseKey: Buffer;
    maxFileBytes: number;
    maxReportBytes: number;
    isCsrfChecked?: boolean;
    beforeFiles?: (fields: Record<string, string>) => AppError | null;
  },
): Promise<MultipartForm> {
  const fields: Record<string, string> = {};
  const files: MultipartForm['files'] = [];
  let error: AppError | null = null;
  let isCsrfOk = !isCsrfChecked;
  let total = 0;
  let sawFiles = false;
  let isDecided = !beforeFiles;
  let isMalformed = false;
  const decide = () => {
    if (isDecided || !beforeFiles) return;
    isDecided = true;
    const refused = beforeFiles(fields);
    if (refused) error ??= refused;
  };
  if (!req.isMultipart()) {
    return {
      fields,
      files,
      error: new AppError('invalid_input', 'expected multipart/form-data', 'error.bad_request'),
      sawFiles,
      isOwnForm: false,
    };
  }
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string') continue;
        if (part.fieldname === '_csrf') {
          try {
            checkCsrf(req, part.value);
            isCsrfOk = true;
          } catch (e) {
            error ??= e as AppError;
          }
        } else if (!(part.fieldname in fields)) {
          // PostgreSQL cannot store a NUL: the text comes back without it, and is refused this time
          fields[part.fieldname] = part.value.replaceAll('\u0000', '');
          if (part.value.includes('\u0000'))
            error ??= new AppError('invalid_input', `NUL in field ${part.fieldname}`, 'error.form', {
              [part.fieldname]: 'error.field.invalid',
            });
          // kept (cut) so the form comes back with the text, but never stored cut
          else if (part.valueTruncated)
            error ??= new AppError('invalid_input', `field ${part.fieldname} too long`, 'error.form', {
              [part.fieldname]: 'error.field.too_long',
            });
        }
        continue;
      }
      const isEmpty = !part.filename;
      sawFiles ||= !isEmpty;
      if (!isEmpty) decide();
      if (error || isEmpty || !isCsrfOk) {
        if (!isCsrfOk && !isEmpty) error ??= new AppError('forbidden', 'CSRF token must precede files', 'error.csrf');
        await drain(part.file);
        continue;
      }
      if (files.length >= MAX_FILES) {
        error = new AppError('invalid_input', `more than ${MAX_FILES} files`, 'error.too_many_files', {
          files: 'error.too_many_files',
        });
        await drain(part.file);
        continue;
      }
      const remaining = maxReportBytes - total;
      const limit = Math.min(maxFileBytes, remaining);
      try {
        const stored = await storeUpload({ db, caseKey, stream: part.file, fileName: part.filename, maxBytes: limit });
        total += stored.file.size;
        files.push(stored);
      } catch (e) {
        const app = toAppError(e);
        if (app?.code === 'too_large' && limit < maxFileBytes) {
          error = new AppError('too_large', 'attachments together exceed the report limit', 'error.report_too_large', {
            files: 'error.report_too_large',
          });
        } else {
          isMalformed ||= !app;
          error = app ?? malformed();
        }
      }
    }
  } catch (e) {
    // Only the multipart parser and its streams throw here; database errors are classified above.
    // A body cut short or not the declared one is no form a page sent; one too large may be.
    const app = toAppError(e);
    isMalformed ||= app?.code !== 'too_large';
    error ??= app ?? malformed();
  }
  if (!isCsrfOk) error ??= new AppError('forbidden', 'missing CSRF token', 'error.csrf');
  decide();
  // A CSRF refusal (error.csrf: a token missing, forged, or after a file) is no form of ours either.
  const isOwnForm = isCsrfOk && isCsrfChecked && !isMalformed && error?.userMessage !== 'error.csrf';
  return { fields, files, error, sawFiles, isOwnForm };
}

function malformed(): AppError {
  return new AppError('invalid_input', 'malformed multipart body', 'error.bad_request');
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // discarded
  }
}
