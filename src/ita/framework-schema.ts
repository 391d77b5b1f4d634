// The JSON shape of a framework file (JSON Schema, checked by Ajv before the rules between fields in
// framework.ts) and the type of a file that passed it. Documented in docs/ita-framework.md.
import type { ChecklistItem, Evidence, Grade, InstrumentCode, Source, Text } from './types.ts';

const text = {
  type: 'object',
  required: ['th', 'en'],
  additionalProperties: false,
  properties: { th: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
};
const code = { type: 'string', enum: ['IIT', 'EIT', 'OIT'] };
const id = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,31}$' };
const num = { type: 'number', minimum: 0 };
const number = { type: 'string', pattern: '^[A-Z][0-9]{1,3}$' };
const subId = { type: 'string', pattern: '^[0-9]{1,2}\\.[0-9]{1,2}$' };
const evidence = {
  type: 'object',
  required: ['status', 'sources'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['quoted', 'other-year', 'unconfirmed'] },
    sources: { type: 'array', items: { type: 'string', minLength: 1 } },
    year: { type: 'integer' },
    note: { type: 'string', minLength: 1 },
  },
};

export const FRAMEWORK_SCHEMA = {
  type: 'object',
  required: [
    'format',
    'fiscalYear',
    'title',
    'instruments',
    'indicators',
    'scales',
    'questions',
    'checklist',
    'grades',
    'passMark',
    'disclosureThreshold',
  ],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    format: { type: 'string' },
    fiscalYear: { type: 'integer' },
    title: text,
    isDraft: { type: 'boolean' },
    sources: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
      additionalProperties: {
        type: 'object',
        required: ['kind', 'title', 'url'],
        additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: ['nacc', 'agency', 'press', 'sujarit'] },
          title: { type: 'string', minLength: 1 },
          url: { type: 'string', pattern: '^(https?://|seed:|index:|sujarit:)' },
          note: { type: 'string', minLength: 1 },
        },
      },
    },
    evidence: { type: 'object', additionalProperties: evidence },
    instruments: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['code', 'name', 'weight'],
        additionalProperties: false,
        properties: {
          code,
          name: text,
          weight: num,
          minSample: {
            type: 'object',
            required: ['atLeast', 'share'],
            additionalProperties: false,
            properties: { atLeast: { type: 'integer', minimum: 1 }, share: { type: 'number', minimum: 0, maximum: 1 } },
          },
        },
      },
    },
    indicators: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['number', 'instrument', 'name', 'weight'],
        additionalProperties: false,
        properties: { number: { type: 'integer', minimum: 1 }, instrument: code, name: text, weight: num, evidence },
      },
    },
    subIndicators: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'indicator', 'name'],
        additionalProperties: false,
        properties: { id: subId, indicator: { type: 'integer' }, name: text, evidence },
      },
    },
    scales: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]{0,31}$' },
      additionalProperties: {
        oneOf: [
          {
            type: 'object',
            required: ['kind', 'points', 'labels'],
            additionalProperties: false,
            properties: {
              kind: { const: 'levels' },
              points: { type: 'array', minItems: 2, items: { type: 'number' } },
              labels: { type: 'array', items: text },
            },
          },
          {
            type: 'object',
            required: ['kind', 'yes', 'no', 'labels'],
            additionalProperties: false,
            properties: {
              kind: { const: 'yesno' },
              yes: { type: 'number' },
              no: { type: 'number' },
              labels: {
                type: 'object',
                required: ['yes', 'no'],
                additionalProperties: false,
                properties: { yes: text, no: text },
              },
            },
          },
        ],
      },
    },
    questions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'indicator', 'scale', 'text'],
        additionalProperties: false,
        properties: {
          id,
          indicator: { type: 'integer' },
          scale: { type: 'string' },
          text,
          reverse: { type: 'boolean' },
          number,
          evidence,
          parts: {
            type: 'array',
            minItems: 2,
            items: {
              type: 'object',
              required: ['text'],
              additionalProperties: false,
              properties: { text, reverse: { type: 'boolean' } },
            },
          },
        },
      },
    },
    checklist: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'indicator', 'text'],
        additionalProperties: false,
        properties: {
          id,
          indicator: { type: 'integer' },
          group: text,
          text,
          source: { const: 'complaint-figures' },
          number,
          subIndicator: subId,
          evidence,
        },
      },
    },
    grades: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['grade', 'min'],
        additionalProperties: false,
        properties: { grade: { type: 'string', minLength: 1, maxLength: 8 }, min: { type: 'number' } },
      },
    },
    passMark: { type: 'number' },
    disclosureThreshold: { type: 'integer', minimum: 1 },
  },
};

export type RawQuestion = {
  id: string;
  indicator: number;
  scale: string;
  text: Text;
  reverse?: boolean;
  number?: string;
  evidence?: Evidence;
  parts?: { text: Text; reverse?: boolean }[];
};

export type RawChecklistItem = Omit<ChecklistItem, 'group'> & { group?: Text };

/** A framework file that passed FRAMEWORK_SCHEMA (numbers still as written, not yet scaled). */
export type RawFramework = {
  format: string;
  fiscalYear: number;
  title: Text;
  isDraft?: boolean;
  sources?: Record<string, Source>;
  evidence?: Record<string, Evidence>;
  instruments: { code: InstrumentCode; name: Text; weight: number; minSample?: { atLeast: number; share: number } }[];
  indicators: { number: number; instrument: InstrumentCode; name: Text; weight: number; evidence?: Evidence }[];
  subIndicators?: { id: string; indicator: number; name: Text; evidence?: Evidence }[];
  scales: Record<
    string,
    | { kind: 'levels'; points: number[]; labels: Text[] }
    | { kind: 'yesno'; yes: number; no: number; labels: { yes: Text; no: Text } }
  >;
  questions: RawQuestion[];
  checklist: RawChecklistItem[];
  grades: Grade[];
  passMark: number;
  disclosureThreshold: number;
};
