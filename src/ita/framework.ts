// Frameworks as data: one JSON file per fiscal year's assessment in src/ita/frameworks/, validated
// on load. (Skeleton: the validation is being written; the signatures are fixed.)
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Framework } from './types.ts';

/** Where the shipped framework files are. */
export const FRAMEWORKS_DIR = path.join(import.meta.dirname, 'frameworks');

/** The names of the shipped framework files (e.g. `ita-2569.json`), newest fiscal year first. */
export function listFrameworks(): string[] {
  return readdirSync(FRAMEWORKS_DIR).filter((f) => /^[a-z0-9-]+\.json$/.test(f)).sort().reverse();
}

/**
 * Validates a parsed framework file. MUST throw AppError('invalid_input') listing every fault
 * (path and reason) when the file is not a valid framework; returns it with weights in basis points
 * and scores in hundredths.
 */
export function parseFramework(raw: unknown): Framework {
  return raw as Framework;
}

/** Reads and validates a framework file from a path. */
export function loadFrameworkFile(file: string): Framework {
  return parseFramework(JSON.parse(readFileSync(file, 'utf8')));
}

/** A shipped framework by file name; not_found for a name not in listFrameworks(). */
export function loadShippedFramework(name: string): Framework {
  return loadFrameworkFile(path.join(FRAMEWORKS_DIR, name));
}
