// The filing cost on the reporter's web forms (report, complaint): the form carries a filing ticket;
// under load a post is admitted before any file is stored, and a refused or failed post gives the
// form back with everything typed, its ticket (so that it keeps ageing) and the seconds to wait.
import type { FastifyReply } from 'fastify';
import type { AppError } from '../errors.ts';
import { allowSameOriginScript } from './csp.ts';
import {
  admitFiling,
  type Admission,
  type FilingCost,
  type FilingGate,
  type TicketUse,
} from '../intake/filing-cost.ts';

/** What a form shows of the cost: its ticket, and under load the wait and the proof of work the script may compute. */
export type FilingShown = { ticket: string; waitSeconds: number; powBits: number };

/**
 * The cost now. With the database down nothing can be filed anyway: the form is answered 503 with
 * everything typed, as without load, rather than lost to the failed measurement.
 */
function costNow(gate: FilingGate): Promise<FilingCost> {
  return gate.cost().catch(() => ({ recent: 0, level: 0, waitSeconds: 0, powBits: 0 }));
}

/** The ticket and cost of a freshly opened form; under load its page may run the proof-of-work script. */
export async function freshFiling(gate: FilingGate, reply: FastifyReply): Promise<FilingShown> {
  const cost = await costNow(gate);
  if (cost.level > 0) allowSameOriginScript(reply);
  return { ticket: gate.issue(), waitSeconds: cost.waitSeconds, powBits: cost.powBits };
}

export type FilingPost = {
  /** For readMultipartForm: refuses a post under load before its files are stored. */
  beforeFiles: (fields: Record<string, string>) => AppError | null;
  /** The ticket's use to record with the filing (null under normal load). */
  use: () => TicketUse | null;
  /** The form given back after `error`: its ticket and cost, and the seconds its alert names. */
  shown: (fields: Record<string, string>, error: AppError | null) => FilingGivenBack;
};

/**
 * What a form given back shows of the cost, and the headers of its page (sendFilingHeaders): a
 * Retry-After when refused for the cost, and the proof-of-work script under load.
 */
export type FilingGivenBack = {
  filing: FilingShown;
  alertParams: { seconds: number };
  retryAfter: number | null;
  isScripted: boolean;
};

/** The headers of a form page given back (after its post, or on the page its post redirected to). */
export function sendFilingHeaders(reply: FastifyReply, shown: FilingGivenBack): void {
  if (shown.retryAfter !== null) reply.header('retry-after', String(shown.retryAfter));
  if (shown.isScripted) allowSameOriginScript(reply);
}

/** Measures the cost once for a post. */
export async function filingPost(gate: FilingGate): Promise<FilingPost> {
  const cost = await costNow(gate);
  let admission: Admission = { isAdmitted: true, use: null };
  return {
    beforeFiles: (fields) => {
      admission = admitFiling({ key: gate.key, cost, ticket: fields.ticket, pow: fields.pow });
      return admission.isAdmitted ? null : admission.error;
    },
    use: () => (admission.isAdmitted ? admission.use : null),
    shown: (fields, error) => {
      const a = admission;
      const isUsed = error?.userMessage === 'error.filing_ticket_used';
      const ticket = isUsed || (!a.isAdmitted && !a.isTicketKept) ? gate.issue() : gate.keep(fields.ticket);
      const seconds = Math.max(1, a.isAdmitted ? cost.waitSeconds : a.retryAfterSeconds);
      return {
        filing: { ticket, waitSeconds: cost.waitSeconds, powBits: cost.powBits },
        alertParams: { seconds },
        retryAfter: !a.isAdmitted || isUsed ? seconds : null,
        isScripted: cost.level > 0,
      };
    },
  };
}
