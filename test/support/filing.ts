// Filing tickets for tests: a ticket issued in the past (as if the reporter had spent that long
// writing), and the proof of work that static/filing-pow.js computes in a browser.
import { filingTicketKey, issueFilingTicket, proofBits } from '../../src/intake/filing-cost.ts';

/** A ticket the server would have issued `seconds` ago. */
export function agedTicket(cookieKey: Buffer, seconds: number): string {
  return issueFilingTicket(filingTicketKey(cookieKey), Date.now() - seconds * 1000);
}

/** The first nonce that proves `bits` over the ticket. */
export function solve(ticket: string, bits: number): string {
  for (let i = 0; ; i++) if (proofBits(ticket, i.toString(36)) >= bits) return i.toString(36);
}

/** The ticket and the proof of work asked for by a form page. */
export function ticketOf(html: string): { ticket: string; powBits: number } {
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
  if (!ticket) throw new Error('no filing ticket on the page');
  return { ticket, powBits: Number(/data-pow-bits="(\d+)"/.exec(html)?.[1] ?? 0) };
}
