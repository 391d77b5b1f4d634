import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { solve } from '../../test/support/filing.ts';
import {
  admitFiling,
  costOf,
  filingTicketKey,
  issueFilingTicket,
  openFilingTicket,
  proofBits,
  TICKET_HOURS,
} from './filing-cost.ts';

const PARAMS = { threshold: 100, waitSeconds: 60, maxWaitSeconds: 900, powBits: 20 };
const key = filingTicketKey(randomBytes(32));
const NOW = Date.parse('2026-12-07T10:00:30Z');

describe('costOf', () => {
  for (const [recent, level, wait, bits] of [
    [0, 0, 0, 0],
    [99, 0, 0, 0],
    [100, 1, 60, 20],
    [250, 2, 120, 21],
    [400, 4, 480, 23],
    [900, 9, 900, 28],
    [100_000, 1000, 900, 30],
  ] as const) {
    it(`${recent} filings in two minutes: level ${level}, wait ${wait} s, ${bits} bits`, () => {
      assert.deepEqual(costOf(recent, PARAMS), { recent, level, waitSeconds: wait, powBits: bits });
    });
  }
  it('threshold 0 costs at every load', () => assert.equal(costOf(0, { ...PARAMS, threshold: 0 }).waitSeconds, 60));
});

describe('filing tickets', () => {
  it('opens its own tickets only, unaltered and unexpired', () => {
    const t = issueFilingTicket(key, NOW);
    assert.equal(openFilingTicket(key, t, NOW + 5000)?.issuedAt, Math.floor(NOW / 1000));
    assert.equal(openFilingTicket(filingTicketKey(randomBytes(32)), t, NOW), null);
    const bytes = Buffer.from(t, 'base64url');
    bytes[20] ^= 1;
    assert.equal(openFilingTicket(key, bytes.toString('base64url'), NOW), null);
    assert.equal(openFilingTicket(key, t, NOW + TICKET_HOURS * 3600_000 + 1000), null);
    assert.equal(openFilingTicket(key, t, NOW - 120_000), null, 'issued in the future');
    assert.equal(openFilingTicket(key, 'x'.repeat(500), NOW), null);
    assert.equal(openFilingTicket(key, undefined, NOW), null);
  });

  it('counts the leading zero bits of SHA-256(ticket:pow)', () => {
    const t = issueFilingTicket(key, NOW);
    const pow = solve(t, 12);
    assert.ok(proofBits(t, pow) >= 12);
    assert.ok(proofBits(`${t}x`, pow) < 64);
  });
});

describe('admitFiling', () => {
  const load = costOf(150, PARAMS); // level 1: 60 s or 20 bits
  const light = { ...load, powBits: 10 };
  it('costs nothing under the threshold, ticket or not', () => {
    assert.deepEqual(admitFiling({ key, cost: costOf(10, PARAMS), now: NOW }), { isAdmitted: true, use: null });
  });
  it('under load refuses no ticket, a forged one and a fresh one, saying how long to wait', () => {
    for (const ticket of [undefined, 'forged', issueFilingTicket(key, NOW - 20_000)]) {
      const a = admitFiling({ key, cost: load, ticket, now: NOW });
      assert.equal(a.isAdmitted, false);
      if (a.isAdmitted) continue;
      assert.equal(a.error.code, 'too_many_requests');
      assert.equal(a.retryAfterSeconds, ticket?.length && ticket !== 'forged' ? 40 : 60);
      assert.equal(a.isTicketKept, ticket !== undefined && ticket !== 'forged');
    }
  });
  it('admits a ticket old enough, or a fresh one with its proof of work, and names its use', () => {
    const old = admitFiling({ key, cost: load, ticket: issueFilingTicket(key, NOW - 60_000), now: NOW });
    assert.equal(old.isAdmitted && old.use?.digest.length, 32);
    const fresh = issueFilingTicket(key, NOW);
    const proven = admitFiling({ key, cost: light, ticket: fresh, pow: solve(fresh, 10), now: NOW });
    assert.equal(proven.isAdmitted, true);
    // the expiry kept is the ticket's, rounded up to the hour: no finer time is stored
    assert.equal(proven.isAdmitted && proven.use?.expiresAt.toISOString(), '2026-12-07T23:00:00.000Z');
    assert.equal(admitFiling({ key, cost: light, ticket: fresh, pow: 'nope', now: NOW }).isAdmitted, false);
  });
  it('gives the same use for the same ticket, so that the database refuses its second filing', () => {
    const t = issueFilingTicket(key, NOW - 600_000);
    const a = admitFiling({ key, cost: load, ticket: t, now: NOW });
    const b = admitFiling({ key, cost: load, ticket: t, now: NOW + 5000 });
    assert.ok(a.isAdmitted && b.isAdmitted && a.use!.digest.equals(b.use!.digest));
  });
});
