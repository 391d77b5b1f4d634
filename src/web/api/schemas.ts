// JSON Schemas of the API: Fastify validates requests with them and /api/openapi.json publishes them.
import { ALL_CATEGORIES, CATEGORIES, TEXT_LIMITS } from '../../intake/limits.ts';
import { CASE_KINDS, CASE_STATUSES, COMPLAINT_OUTCOMES, CONCLUSIONS, SCREENING_OUTCOMES } from '../../db/schema.ts';

const text = (max: number) => ({ type: 'string', maxLength: max }) as const;

export const schemas = {
  ReportSubmission: {
    type: 'object',
    additionalProperties: false,
    required: ['agency', 'category', 'what'],
    properties: {
      agency: {
        type: 'string',
        maxLength: 16,
        description: 'Agency code, or "unknown" for the platform intake office',
      },
      category: { type: 'string', enum: [...CATEGORIES] },
      what: { type: 'string', minLength: 1, maxLength: TEXT_LIMITS.what },
      when: text(TEXT_LIMITS.when),
      where: text(TEXT_LIMITS.where),
      who: text(TEXT_LIMITS.who),
      identity: {
        type: 'object',
        additionalProperties: false,
        description: 'Optional; sealed separately from the report',
        properties: { name: text(TEXT_LIMITS.identityName), contact: text(TEXT_LIMITS.identityContact) },
      },
      ticket: {
        type: 'string',
        maxLength: 200,
        description: 'From getFilingTicket; required under load (else 429), used once (else 409)',
      },
      pow: {
        type: 'string',
        maxLength: 64,
        description:
          'Under load, instead of waiting: a nonce such that SHA-256(ticket + ":" + pow) starts with powBits zero bits',
      },
    },
  },
  FilingTicket: {
    type: 'object',
    required: ['ticket', 'waitSeconds', 'powBits'],
    properties: {
      ticket: {
        type: 'string',
        description: 'Sealed by the server; holds its issue time, valid for 12 hours, files once',
      },
      waitSeconds: {
        type: 'integer',
        description: 'Under load, the age the ticket must reach before submitReport accepts it (0: no load, no cost)',
      },
      powBits: {
        type: 'integer',
        description:
          'Under load, the proof of work that replaces the wait: leading zero bits of SHA-256(ticket ":" pow) (0: none needed)',
      },
    },
  },
  Receipt: {
    type: 'object',
    required: ['receipt', 'reference'],
    properties: {
      receipt: { type: 'string', pattern: '^[0-9]{16}$', description: 'Shown once; the only key to the report' },
      reference: { type: 'string' },
    },
  },
  ReceiptLogin: {
    type: 'object',
    additionalProperties: false,
    required: ['receipt'],
    properties: { receipt: text(TEXT_LIMITS.receipt) },
  },
  StaffLogin: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password', 'code'],
    properties: {
      email: text(TEXT_LIMITS.email),
      password: text(TEXT_LIMITS.password),
      code: { type: 'string', maxLength: 40, description: 'TOTP code, or a recovery code' },
    },
  },
  Session: {
    type: 'object',
    required: ['token'],
    properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
  },
  MessageInput: {
    type: 'object',
    additionalProperties: false,
    required: ['text'],
    properties: { text: { type: 'string', minLength: 1, maxLength: TEXT_LIMITS.message } },
  },
  TransitionInput: {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'reason'],
    properties: {
      to: { type: 'string', enum: [...CASE_STATUSES] },
      reason: text(2000),
      outcome: {
        type: 'string',
        enum: [...SCREENING_OUTCOMES, ...CONCLUSIONS, ...COMPLAINT_OUTCOMES],
        description:
          'A tip: screening outcomes or conclusions; a complaint or late permit: screening outcomes or complaint outcomes',
      },
      duplicateOf: text(64),
    },
  },
  Created: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
  StatusChange: {
    type: 'object',
    properties: {
      from: { type: 'string', enum: [...CASE_STATUSES] },
      to: { type: 'string', enum: [...CASE_STATUSES] },
    },
  },
  Attachment: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      type: { type: 'string' },
      size: { type: 'integer' },
      uploadedBy: { type: 'string', enum: ['reporter', 'staff', 'witness'] },
      unreadable: { type: 'boolean', description: 'Did not open; name, type and size are empty' },
    },
  },
  Message: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      author: {
        type: 'string',
        description: '"reporter", "witness", or the staff role (never a name on the reporter side)',
      },
      text: { type: 'string' },
      unreadable: {
        type: 'boolean',
        description: 'The message did not open (damaged, or sealed with another key); text is empty',
      },
      createdAt: { type: 'string', format: 'date-time', description: 'To the minute' },
      attachments: { type: 'array', items: { $ref: '#/components/schemas/Attachment' } },
    },
  },
  Case: {
    type: 'object',
    properties: {
      reference: { type: 'string' },
      agency: { type: 'string' },
      category: { type: 'string', enum: [...ALL_CATEGORIES] },
      status: { type: 'string', enum: [...CASE_STATUSES] },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      content: {
        type: 'object',
        properties: {
          what: { type: 'string' },
          when: { type: 'string' },
          where: { type: 'string' },
          who: { type: 'string' },
        },
      },
      hasIdentity: { type: 'boolean' },
      attachments: { type: 'array', items: { $ref: '#/components/schemas/Attachment' } },
      messages: { type: 'array', items: { $ref: '#/components/schemas/Message' } },
      unreadable: {
        type: 'integer',
        description: 'How many items of the case did not open (shown as unreadable, recorded in the audit trail)',
      },
    },
  },
  Thread: {
    type: 'object',
    properties: { messages: { type: 'array', items: { $ref: '#/components/schemas/Message' } } },
  },
  CaseSummary: {
    type: 'object',
    properties: {
      reference: { type: 'string' },
      category: { type: 'string', enum: [...ALL_CATEGORIES] },
      kind: { type: 'string', enum: [...CASE_KINDS] },
      channel: { type: 'string' },
      status: { type: 'string', enum: [...CASE_STATUSES] },
      hasIdentity: { type: 'boolean' },
      dueAt: { type: ['string', 'null'], format: 'date-time', description: 'The earliest running deadline' },
      isPaused: { type: 'boolean', description: 'Clocks paused while waiting for the reporter' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  CasePage: {
    type: 'object',
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/CaseSummary' } },
      page: { type: 'integer' },
      pageSize: { type: 'integer' },
      total: { type: 'integer', description: 'At most 10,000; see isTotalCapped' },
      isTotalCapped: { type: 'boolean', description: 'More cases exist than total says' },
    },
  },
  DatasetSummary: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      title: { type: 'object', properties: { th: { type: 'string' }, en: { type: 'string' } } },
      description: { type: 'object', properties: { th: { type: 'string' }, en: { type: 'string' } } },
      frequency: { type: 'string', enum: ['monthly', 'annual'] },
      licence: { type: 'string', description: 'SPDX identifier' },
      latest: { type: ['string', 'null'], description: 'The newest release (YYYY-MM)' },
    },
  },
  DatasetList: {
    type: 'object',
    properties: { items: { type: 'array', items: { $ref: '#/components/schemas/DatasetSummary' } } },
  },
  Dataset: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      dictionary: { type: 'object', description: 'Columns with Thai and English labels, licence, disclosure control' },
      releases: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            month: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            sha256: { type: 'string', description: 'SHA-256 of the CSV file' },
            csv: { type: 'string', format: 'uri' },
            json: { type: 'string', format: 'uri' },
          },
        },
      },
    },
  },
  DatasetRelease: {
    type: 'object',
    properties: {
      dataset: { type: 'string' },
      release: { type: 'string', description: 'YYYY-MM' },
      records: { type: 'array', items: { type: 'object', description: 'One row: null is a suppressed count' } },
    },
  },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
} as const;
