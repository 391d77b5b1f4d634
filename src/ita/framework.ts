// Frameworks as data: one JSON file per fiscal year's assessment in src/ita/frameworks/, validated on
// load (structure by JSON Schema, then the rules a schema cannot say). A new year is a new file, not
// new code. The file format is documented in docs/ita-framework.md.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { AppError } from '../errors.ts';
import { checkChecklist, checkEvidence, checkSubIndicators, expandQuestions } from './framework-items.ts';
import { FRAMEWORK_SCHEMA, type RawFramework } from './framework-schema.ts';
import { parseDecimal } from './score.ts';
import type { ChecklistItem, Framework, Grade, Indicator, Instrument, Question, Scale, SubIndicator } from './types.ts';

/** Where the shipped framework files are. */
export const FRAMEWORKS_DIR = path.join(import.meta.dirname, 'frameworks');

/** The only `format` value this code reads; a file with another is refused, never guessed at. */
export const FRAMEWORK_FORMAT = 'sujarit-ita-framework/1';

/** A framework file larger than this is refused before it is read (the shipped one is ~40 KB). */
export const MAX_FRAMEWORK_BYTES = 2 * 1024 * 1024;

/** The names of the shipped framework files (e.g. `ita-2569.json`), newest fiscal year first. */
export function listFrameworks(): string[] {
  return readdirSync(FRAMEWORKS_DIR)
    .filter((f) => /^[a-z0-9-]+\.json$/.test(f))
    .sort()
    .reverse();
}

// strict: false because `$comment` is allowed as data; allErrors so every fault is reported at once.
const validateShape = new Ajv({ allErrors: true, strict: false }).compile(FRAMEWORK_SCHEMA);

function faultOf(e: ErrorObject): string {
  const where =
    e.instancePath
      .split('/')
      .slice(1)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '') || '(file)';
  if (e.keyword === 'additionalProperties') return `${where}: unknown field '${String(e.params.additionalProperty)}'`;
  if (e.keyword === 'required') return `${where}: missing field '${String(e.params.missingProperty)}'`;
  return `${where}: ${e.message ?? e.keyword}`;
}

// The top-level section an error spoils ('' = the whole file); an unknown top-level field spoils nothing.
function brokenSection(e: ErrorObject): string {
  const top = e.instancePath.split('/')[1];
  if (top !== undefined) return top;
  if (e.keyword === 'required') return String(e.params.missingProperty);
  return e.keyword === 'additionalProperties' ? '$comment' : '';
}

type Raw = RawFramework;

/** A decimal field read exactly: points in hundredths (2 places, 0–100) or weights in basis points (4 places, 0–1). */
function scaled(faults: string[], where: string, value: number, kind: 'points' | 'weight'): number {
  const places = kind === 'points' ? 2 : 4;
  const v = parseDecimal(value, places);
  if (v === null) {
    faults.push(`${where}: ${value} has more than ${places} decimals or is not a plain decimal`);
    return 0;
  }
  if (v > 10000) faults.push(`${where}: ${value} is outside ${kind === 'points' ? '0–100' : '0–1'}`);
  return v;
}

function duplicates(faults: string[], where: string, keys: (string | number)[]): void {
  const seen = new Set<string | number>();
  for (const k of keys) {
    if (seen.has(k)) faults.push(`${where}: duplicate id '${k}'`);
    seen.add(k);
  }
}

function checkInstruments(faults: string[], raw: Raw): Instrument[] {
  duplicates(
    faults,
    'instruments',
    raw.instruments.map((i) => i.code),
  );
  const out = raw.instruments.map((ins, k) => {
    const weight = scaled(faults, `instruments[${k}].weight`, ins.weight, 'weight');
    if (ins.minSample && parseDecimal(ins.minSample.share, 4) === null)
      faults.push(`instruments[${k}].minSample.share: ${ins.minSample.share} has more than 4 decimals`);
    if (ins.minSample && ins.code === 'OIT')
      faults.push(`instruments[${k}].minSample: OIT is a checklist, not a survey: it has no sample`);
    return {
      code: ins.code,
      name: ins.name,
      weight,
      ...(ins.minSample ? { minSample: { atLeast: ins.minSample.atLeast, share: ins.minSample.share } } : {}),
    };
  });
  const sum = out.reduce((a, i) => a + i.weight, 0);
  if (sum !== 10000) faults.push(`instruments: weights sum to ${sum / 10000}, not 1`);
  return out;
}

function checkIndicators(faults: string[], raw: Raw, instruments: Instrument[]): Indicator[] {
  duplicates(
    faults,
    'indicators',
    raw.indicators.map((i) => i.number),
  );
  const declared = new Set(instruments.map((i) => i.code));
  const out = raw.indicators.map((ind, k) => {
    if (!declared.has(ind.instrument))
      faults.push(`indicators[${k}].instrument: unknown instrument '${ind.instrument}' (not in instruments)`);
    return {
      number: ind.number,
      instrument: ind.instrument,
      name: ind.name,
      weight: scaled(faults, `indicators[${k}].weight`, ind.weight, 'weight'),
      ...(ind.evidence ? { evidence: ind.evidence } : {}),
    };
  });
  for (const ins of instruments) {
    const own = out.filter((i) => i.instrument === ins.code);
    // Relative weights within an instrument (score = Σ w·s / Σ w): equal weights give the exact mean,
    // which three weights of 4 decimals each (0.3333 ×3) could not.
    if (own.length === 0) faults.push(`instruments: ${ins.code} has no indicator`);
    for (const i of own.filter((x) => x.weight === 0))
      faults.push(
        `indicators: indicator ${i.number} has weight 0 (weights are relative within an instrument and must be more than 0)`,
      );
  }
  return out;
}

function checkScales(faults: string[], raw: Raw): Record<string, Scale> {
  const out: Record<string, Scale> = {};
  for (const [name, s] of Object.entries(raw.scales)) {
    const where = `scales.${name}`;
    if (s.kind === 'levels') {
      const points = s.points.map((p, k) => scaled(faults, `${where}.points[${k}]`, p, 'points'));
      if (s.labels.length !== points.length)
        faults.push(`${where}.labels: ${s.labels.length} labels for ${points.length} points`);
      out[name] = { kind: 'levels', points, labels: s.labels };
    } else {
      out[name] = {
        kind: 'yesno',
        yes: scaled(faults, `${where}.yes`, s.yes, 'points'),
        no: scaled(faults, `${where}.no`, s.no, 'points'),
        labels: s.labels,
      };
    }
  }
  return out;
}

function checkItems(
  faults: string[],
  raw: Raw,
  indicators: Indicator[],
  scales: Record<string, Scale>,
): { questions: Question[]; subIndicators: SubIndicator[]; checklist: ChecklistItem[] } {
  const questions = expandQuestions(raw.questions);
  // One namespace: a CSV row names a question, a part of one or a checklist item by the same column;
  // a question asked in parts keeps its own id too (the parts are `id.1`, `id.2`, …).
  duplicates(faults, 'questions/checklist', [
    ...questions.map((q) => q.id),
    ...raw.questions.filter((q) => q.parts).map((q) => q.id),
    ...raw.checklist.map((c) => c.id),
  ]);
  const byNumber = new Map(indicators.map((i) => [i.number, i]));
  raw.questions.forEach((q, k) => {
    const ind = byNumber.get(q.indicator);
    if (!ind) faults.push(`questions[${k}].indicator: unknown indicator ${q.indicator}`);
    else if (ind.instrument === 'OIT')
      faults.push(
        `questions[${k}].indicator: indicator ${q.indicator} belongs to OIT, which is scored by the checklist`,
      );
    if (!Object.hasOwn(scales, q.scale)) faults.push(`questions[${k}].scale: unknown scale '${q.scale}'`);
  });
  raw.checklist.forEach((c, k) => {
    const ind = byNumber.get(c.indicator);
    if (!ind) faults.push(`checklist[${k}].indicator: unknown indicator ${c.indicator}`);
    else if (ind.instrument !== 'OIT')
      faults.push(
        `checklist[${k}].indicator: indicator ${c.indicator} belongs to ${ind.instrument}; checklist items belong to OIT indicators`,
      );
  });
  for (const ind of indicators) {
    if (
      ind.instrument === 'OIT'
        ? !raw.checklist.some((c) => c.indicator === ind.number)
        : !questions.some((q) => q.indicator === ind.number)
    ) {
      faults.push(
        `indicators: indicator ${ind.number} (${ind.instrument}) has no ${ind.instrument === 'OIT' ? 'checklist item' : 'question'}`,
      );
    }
  }
  const subIndicators = checkSubIndicators(faults, raw, indicators);
  const checklist = checkChecklist(faults, raw, subIndicators);
  checkEvidence(faults, raw);
  return { questions, subIndicators, checklist };
}

function checkGrades(faults: string[], raw: Raw): { grades: Grade[]; passMark: number } {
  duplicates(
    faults,
    'grades',
    raw.grades.map((g) => g.grade),
  );
  const grades = raw.grades.map((g, k) => ({
    grade: g.grade,
    min: scaled(faults, `grades[${k}].min`, g.min, 'points'),
  }));
  grades.forEach((g, k) => {
    if (k > 0 && g.min >= grades[k - 1]!.min)
      faults.push(`grades[${k}].min: grades must be listed with strictly descending minimums`);
  });
  if (grades.length > 0 && grades.at(-1)!.min !== 0)
    faults.push(`grades[${grades.length - 1}].min: the last grade must start at 0, so every score has a grade`);
  const passMark = scaled(faults, 'passMark', raw.passMark, 'points');
  if (!grades.some((g) => g.min === passMark)) faults.push(`passMark: ${raw.passMark} is not the minimum of any grade`);
  return { grades, passMark };
}

/**
 * Validates a parsed framework file. MUST throw AppError('invalid_input') listing every fault
 * (path and reason) when the file is not a valid framework; returns it with weights in basis points
 * and scores in hundredths.
 */
export function parseFramework(raw: unknown): Framework {
  const faults: string[] = [];
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== FRAMEWORK_FORMAT)
    faults.push(`format: unknown format ${JSON.stringify(format ?? null)} (this version reads '${FRAMEWORK_FORMAT}')`);
  if (!validateShape(raw)) faults.push(...(validateShape.errors ?? []).map(faultOf));
  // Rules between fields run on the sections whose shape is valid, so one run reports both kinds.
  const broken = new Set((validateShape.errors ?? []).map(brokenSection));
  const isSound = (...keys: string[]): boolean => !broken.has('') && keys.every((k) => !broken.has(k));
  const r = raw as Raw;
  if (isSound('fiscalYear') && (r.fiscalYear < 2500 || r.fiscalYear > 2700))
    faults.push(`fiscalYear: ${r.fiscalYear} is not a Buddhist Era year (e.g. 2569)`);
  const instruments = isSound('instruments') ? checkInstruments(faults, r) : [];
  const indicators = isSound('instruments', 'indicators') ? checkIndicators(faults, r, instruments) : [];
  const scales = isSound('scales') ? checkScales(faults, r) : {};
  const items = isSound(
    'instruments',
    'indicators',
    'scales',
    'questions',
    'checklist',
    'subIndicators',
    'sources',
    'evidence',
  )
    ? checkItems(faults, r, indicators, scales)
    : { questions: [], subIndicators: [], checklist: [] };
  const marks = isSound('grades', 'passMark') ? checkGrades(faults, r) : { grades: [], passMark: 0 };
  if (faults.length > 0) {
    throw new AppError(
      'invalid_input',
      `invalid framework file (${faults.length} fault${faults.length === 1 ? '' : 's'}):\n  ${faults.join('\n  ')}`,
      'ita.error.framework_file',
    );
  }
  return {
    format: FRAMEWORK_FORMAT,
    fiscalYear: r.fiscalYear,
    title: r.title,
    instruments,
    indicators,
    scales,
    questions: items.questions,
    checklist: items.checklist,
    grades: marks.grades,
    passMark: marks.passMark,
    disclosureThreshold: r.disclosureThreshold,
    ...(items.subIndicators.length > 0 ? { subIndicators: items.subIndicators } : {}),
    ...(r.sources ? { sources: r.sources } : {}),
    ...(r.evidence ? { evidence: r.evidence } : {}),
    ...(r.isDraft ? { isDraft: true } : {}),
  };
}

/** Reads and validates a framework file from a path: not_found when absent, invalid_input when too large, not JSON or not a framework. */
export function loadFrameworkFile(file: string): Framework {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new AppError('not_found', `framework file not found: ${file}`, 'ita.error.framework_file');
  }
  if (size > MAX_FRAMEWORK_BYTES)
    throw new AppError(
      'invalid_input',
      `framework file ${file} is larger than ${MAX_FRAMEWORK_BYTES} bytes`,
      'ita.error.framework_file',
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new AppError(
      'invalid_input',
      `framework file ${file} is not JSON: ${(e as Error).message}`,
      'ita.error.framework_file',
    );
  }
  return parseFramework(raw);
}

/** A shipped framework by file name; not_found for a name not in listFrameworks() (so no path can escape the folder). */
export function loadShippedFramework(name: string): Framework {
  if (!listFrameworks().includes(name))
    throw new AppError(
      'not_found',
      `no shipped framework named ${JSON.stringify(name)} (shipped: ${listFrameworks().join(', ')})`,
      'ita.error.framework',
    );
  return loadFrameworkFile(path.join(FRAMEWORKS_DIR, name));
}
