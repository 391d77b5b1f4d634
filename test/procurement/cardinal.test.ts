// Cardinal's indicators on fixtures of our own making, each with its documentation page
// (cardinal.readthedocs.io/en/latest/cli/indicators/R/NNN.html: the "Example" and "Demonstration"
// sections) and settings named as Cardinal's tests name them (fixtures.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, quantile } from '../../src/procurement/quantile.ts';
import { rustFloat } from '../../src/procurement/rust-json.ts';
import { parseSettings } from '../../src/procurement/settings.ts';
import { printed, priced, run, settingsOfName } from './fixtures.ts';

const period = (ocid: string, start: string, end: string, tender: object = {}) => ({
  ocid,
  tender: { tenderPeriod: { startDate: start, endDate: end }, ...tender },
});

describe('the quartile method (statrs 0.16, R-8, as Cardinal calls it)', () => {
  it('gives statrs’ own test values', () => {
    const data = () => [-1, 5, 0, -3, 10, -0.5, 4, 0.2, 1, 6];
    assert.equal(quantile(data(), 0), -3);
    assert.equal(quantile(data(), 1), 10);
    assert.ok(Math.abs(quantile(data(), 0.5) - 0.6) < 1e-15);
    assert.ok(Math.abs(quantile(data(), 0.2) - -0.8) < 1e-15);
    assert.ok(Math.abs(quantile(data(), 0.7) - 137 / 30) < 1e-12);
    assert.equal(quantile(data(), 0.01), -3);
    assert.equal(quantile(data(), 0.99), 10);
    assert.ok(Math.abs(quantile(data(), 0.52) - 287 / 375) < 1e-15);
    assert.ok(Number.isNaN(quantile([], 0.25)));
    assert.equal(percentile([150, 100, 100, 100], 75), 100 + (43 / 12 - 3) * 50);
  });
});

describe('output as Cardinal prints it', () => {
  it('writes floats as serde_json does', () => {
    assert.equal(rustFloat(1), '1.0');
    assert.equal(rustFloat(0), '0.0');
    assert.equal(rustFloat(0.16666666666666666), '0.16666666666666666');
    assert.equal(rustFloat(1e-5), '0.00001');
    assert.equal(rustFloat(1e-7), '1e-7');
    assert.equal(rustFloat(1.5e-7), '1.5e-7');
    assert.equal(rustFloat(1e15), '1000000000000000.0');
    assert.equal(rustFloat(1e16), '1e16');
    assert.equal(rustFloat(1e17), '1e17');
    assert.equal(rustFloat(Number.NaN), 'null');
  });

  it('prints {"Meta":{}} when no indicator is enabled, as Cardinal with no settings', async () => {
    const r = await run('{"ocid":"A"}\n', '');
    const { resultsJson } = await import('../../src/procurement/results.ts');
    assert.equal(resultsJson(r.results), '{"Meta":{}}');
  });
});

describe('R003 short submission period (docs: cli/indicators/R/003)', () => {
  const oneDay = period('F', '2020-08-03T18:00:00-05:00', '2020-08-04T18:00:00-05:00');
  it('flags the documented example: a one-day period under the default 15 days', async () => {
    assert.equal(await printed([oneDay], 'R003'), '{"OCID":{"F":{"R003":1.0}}}');
  });
  it('R003-threshold-1: one whole day is not under one day', async () => {
    assert.equal(await printed([oneDay], 'R003-threshold-1'), '{}');
  });
  it('R003-procurement_methods-open+selective: a limited tender is not considered', async () => {
    const limited = period('L', '2020-08-03T00:00:00Z', '2020-08-04T00:00:00Z', { procurementMethod: 'limited' });
    const open = period('O', '2020-08-03T00:00:00Z', '2020-08-04T00:00:00Z', { procurementMethod: 'open' });
    assert.equal(
      await printed([limited, open], 'R003-procurement_methods-open+selective'),
      '{"OCID":{"O":{"R003":1.0}}}',
    );
  });
  it('R003-procurement_method_details-x-5-y-10: a threshold per method detail', async () => {
    const sixDays = (ocid: string, d: string) =>
      period(ocid, '2020-08-01T00:00:00Z', '2020-08-07T00:00:00Z', { procurementMethodDetails: d });
    const out = await printed([sixDays('X', 'x'), sixDays('Y', 'y')], 'R003-procurement_method_details-x-5-y-10');
    assert.equal(out, '{"OCID":{"Y":{"R003":1.0}}}');
  });
  it('skips dates that are not RFC 3339', async () => {
    assert.equal(await printed([period('N', '2020-08-03', '2020-08-04')], 'R003'), '{}');
  });
});

describe('R018 single bid received (docs: cli/indicators/R/018)', () => {
  it('flags the documented example, an open tender with one tenderer', async () => {
    const one = { ocid: 'F', tender: { numberOfTenderers: 1, procurementMethod: 'open' } };
    const limited = { ocid: 'L', tender: { numberOfTenderers: 1, procurementMethod: 'limited' } };
    assert.equal(await printed([one, limited], 'R018'), '{"OCID":{"F":{"R018":1.0}}}');
    assert.equal(await printed([one, limited], 'R018-procurement_methods-limited'), '{"OCID":{"L":{"R018":1.0}}}');
  });
});

describe('R024 price close to winning bid (docs: cli/indicators/R/024)', () => {
  const demo = [
    priced('F', 'W', [
      ['W', 1],
      ['L', 2],
    ]),
    ...['1', '2', '3', '4'].map((o) =>
      priced(o, 'W', [
        ['W', 1],
        ['L', 100],
      ]),
    ),
  ];
  it('prints the documented demonstration: F, its winner and second-lowest bidder', async () => {
    assert.equal(
      await printed(demo, 'R024'),
      '{"OCID":{"F":{"R024":1.0}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}',
    );
  });
  it('R024-threshold-0.02 (the documented Atlantis fence): a 1% difference is flagged, 3% is not', async () => {
    const close = priced('C', 'CollusionCorp', [
      ['CollusionCorp', 100_000],
      ['ProcureManipulate', 101_000],
    ]);
    const far = priced('D', 'A', [
      ['A', 100_000],
      ['B', 103_000],
    ]);
    const out = await printed([close, far], 'R024-threshold-0.02');
    assert.equal(
      out,
      '{"OCID":{"C":{"R024":0.01}},"Tenderer":{"CollusionCorp":{"R024":0.0},"ProcureManipulate":{"R024":0.0}}}',
    );
  });
  it('excludes a process whose lowest bid did not win, a pending award, several active awards', async () => {
    const notLowest = priced('N', 'B', [
      ['A', 1],
      ['B', 2],
    ]);
    const pending = {
      ...priced('P', 'A', [
        ['A', 1],
        ['B', 1.001],
      ]),
      awards: [{ status: 'pending', suppliers: [{ id: 'A' }] }],
    };
    const two = {
      ...priced('T', 'A', [
        ['A', 1],
        ['B', 1.001],
      ]),
      awards: [
        { status: 'active', suppliers: [{ id: 'A' }] },
        { status: 'active', suppliers: [{ id: 'B' }] },
      ],
    };
    assert.equal(await printed([notLowest, pending, two], 'R024-threshold-0.5'), '{}');
  });
  it('excludes bids in another currency than the first seen, or than `currency`', async () => {
    const eur = priced('E', 'W', [
      ['W', 1, 'valid', 'EUR'],
      ['L', 1.25, 'valid', 'EUR'],
    ]);
    const usd = priced('U', 'W', [
      ['W', 1],
      ['L', 1.25],
    ]);
    assert.equal(
      await printed([usd, eur], 'R024-threshold-0.5'),
      '{"OCID":{"U":{"R024":0.25}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}',
    );
    const r = await run(`${JSON.stringify(usd)}\n${JSON.stringify(eur)}`, 'currency = EUR\n[R024]\nthreshold = 0.5\n');
    assert.deepEqual([...r.results.groups.get('OCID')!.keys()], ['E']);
    assert.equal(r.otherCurrency, 2);
  });
});

/** Two-bidder processes giving each tenderer its wins and losses (for R025). */
function contests(record: Record<string, [wins: number, losses: number]>) {
  const wins = Object.entries(record).flatMap(([id, [w]]) => Array<string>(w).fill(id));
  const losses = Object.entries(record).flatMap(([id, [, l]]) => Array<string>(l).fill(id));
  return wins.map((winner, i) => {
    const k = losses.findIndex((l) => l !== winner);
    const [loser] = losses.splice(k, 1);
    return priced(`p${i}`, winner, [[winner], [loser!]]);
  });
}

describe('R025 excessive unsuccessful bids (docs: cli/indicators/R/025)', () => {
  it('R025-threshold-0.125 (the documented lower fence): UnethicalBid, a top tenderer winning 15 of 150, is flagged', async () => {
    const releases = contests({ UnethicalBid: [15, 135], A: [85, 15], B: [75, 25], C: [50, 50] });
    assert.equal(await printed(releases, 'R025-threshold-0.125'), '{"Tenderer":{"UnethicalBid":{"R025":0.1}}}');
  });
  it('with the fence from the quartiles: a lone frequent loser among steady winners', async () => {
    const releases = contests({ L: [1, 11], A: [3, 1], B: [3, 1], C: [3, 1], D: [3, 1], E: [3, 1], F: [2, 2] });
    assert.equal(await printed(releases, 'R025'), '{"Tenderer":{"L":{"R025":0.08333333333333333}}}');
  });
});

describe('R028 identical bid prices (docs: cli/indicators/R/028)', () => {
  it('flags the documented example: a valid and a disqualified bid at the same price', async () => {
    const f = priced('F', undefined, [
      ['V', 1],
      ['D', 1, 'disqualified'],
    ]);
    // The later bid's tenderers first, then the earlier one's: Cardinal's chain!(&ids, other).
    assert.equal(
      await printed([f], 'R028'),
      '{"OCID":{"F":{"R028":1.0}},"Tenderer":{"D":{"R028":1.0},"V":{"R028":1.0}}}',
    );
  });
  it('does not flag one tenderer bidding the same price twice, nor a withdrawn bid', async () => {
    const same = priced('S', undefined, [
      ['V', 1],
      ['V', 1],
    ]);
    const withdrawn = priced('W', undefined, [
      ['V', 1],
      ['X', 1, 'withdrawn'],
    ]);
    assert.equal(await printed([same, withdrawn], 'R028'), '{}');
  });
});

describe('R030 late bid won (docs: cli/indicators/R/030)', () => {
  it('flags a winner whose valid bid is dated after the tender period ends', async () => {
    const late = {
      ocid: 'F',
      tender: { tenderPeriod: { endDate: '2020-01-01T00:00:00Z' } },
      bids: {
        details: [
          { status: 'valid', date: '2020-01-02T00:00:00Z', tenderers: [{ id: 'W' }] },
          { status: 'valid', date: '2020-01-03T00:00:00Z', tenderers: [{ id: 'L' }] },
        ],
      },
      awards: [{ status: 'active', suppliers: [{ id: 'W' }] }],
    };
    assert.equal(await printed([late], 'R030'), '{"OCID":{"F":{"R030":1.0}},"Tenderer":{"W":{"R030":1.0}}}');
  });
});

describe('R035 all except winning bid disqualified (docs: cli/indicators/R/035)', () => {
  const f = priced('F', 'W', [['W'], ['D1', undefined, 'disqualified'], ['D2', undefined, 'disqualified']]);
  it('flags a process whose only valid bid won, with the number of tenderers disqualified', async () => {
    assert.equal(await printed([f], 'R035'), '{"OCID":{"F":{"R035":2.0}},"Tenderer":{"W":{"R035":0.0}}}');
    assert.equal(await printed([f], 'R035-threshold-3'), '{}');
  });
});

describe('R036 lowest bid disqualified (docs: cli/indicators/R/036)', () => {
  it('flags a process whose lowest bid was disqualified while a valid bid has an amount', async () => {
    const f = priced('F', 'W', [
      ['W', 2],
      ['D', 1, 'disqualified'],
    ]);
    const noValidAmount = priced('N', 'W', [['W'], ['D', 1, 'disqualified']]);
    assert.equal(await printed([f, noValidAmount], 'R036'), '{"OCID":{"F":{"R036":1.0}}}');
  });
});

describe('R038 excessive disqualified bids (docs: cli/indicators/R/038)', () => {
  it('prints the documented demonstration under docs/examples/settings.ini', async () => {
    const b = { ...priced('0', undefined, [['W'], ['D', undefined, 'disqualified']]), buyer: { id: 'B' } };
    const others = ['1', '2', '3', '4'].map((o) => ({ ...priced(o, undefined, [['W']]), buyer: { id: o } }));
    const ini = '[R024]\n[R025]\n[R030]\n[R035]\n[R036]\n[R038]\n[R048]\n[R058]\n';
    assert.equal(await printed([b, ...others], ini), '{"Buyer":{"B":{"R038":0.5}}}');
  });
  it('R038-threshold-0.5: a tenderer with 3 of 4 bids disqualified, procuring entities too', async () => {
    const pe = (ocid: string, id: string, bids: Parameters<typeof priced>[2]) => ({
      ...priced(ocid, undefined, bids),
      tender: { procuringEntity: { id } },
    });
    const releases = [
      pe('1', 'P', [['M', undefined, 'disqualified'], ['A']]),
      pe('2', 'P', [['M', undefined, 'disqualified'], ['A']]),
      pe('3', 'Q', [['M', undefined, 'disqualified'], ['A']]),
      pe('4', 'Q', [['M'], ['A']]),
    ];
    const out = await printed(releases, 'R038-threshold-0.5');
    // No OCID result: IndexMap::swap_remove puts the last group (ProcuringEntity) in its place.
    assert.equal(out, '{"ProcuringEntity":{"P":{"R038":0.5}},"Tenderer":{"M":{"R038":0.75}}}');
  });
});

describe('R048 heterogeneous supplier (docs: cli/indicators/R/048)', () => {
  const award = (ocid: string, supplier: string, codes: string[]) => ({
    ocid,
    awards: [
      { status: 'active', suppliers: [{ id: supplier }], items: codes.map((id) => ({ classification: { id } })) },
    ],
  });
  it('R048-threshold-3-minimum_contracting_processes-1: a supplier in 3 two-digit classes', async () => {
    const releases = [award('1', 'H', ['4311', '5010']), award('2', 'H', ['7211']), award('3', 'S', ['4311', '4312'])];
    assert.equal(
      await printed(releases, 'R048-threshold-3-minimum_contracting_processes-1'),
      '{"Tenderer":{"H":{"R048":3.0}}}',
    );
    assert.equal(await printed(releases, 'R048-threshold-3'), '{}'); // 20 processes by default
  });
});

describe('R058 heavily discounted bid (docs: cli/indicators/R/058)', () => {
  it('R058-threshold-0.5: the second-lowest bid is double the winning one', async () => {
    const releases = [
      priced('F', 'W', [
        ['W', 1],
        ['L', 2],
      ]),
      priced('G', 'W', [
        ['W', 1],
        ['L', 1.1],
      ]),
    ];
    assert.equal(
      await printed(releases, 'R058-threshold-0.5'),
      '{"OCID":{"F":{"R058":1.0}},"Tenderer":{"W":{"R058":0.0}}}',
    );
  });
  it('with the fence from the quartiles (Q3 + 1.5 IQR)', async () => {
    const usual = ['1', '2', '3', '4', '5', '6', '7'].map((o, i) =>
      priced(o, 'A', [
        ['A', 100],
        ['B', 110 + i],
      ]),
    );
    const out = await printed(
      [
        ...usual,
        priced('F', 'W', [
          ['W', 100],
          ['L', 300],
        ]),
      ],
      'R058',
    );
    assert.equal(out, '{"OCID":{"F":{"R058":2.0}},"Tenderer":{"W":{"R058":0.0}}}');
  });
});

describe('exclusions, as Cardinal applies them to every indicator', () => {
  it('skips a cancelled tender and a method detail under [exclusions]', async () => {
    const cancelled = {
      ...priced('C', undefined, [
        ['V', 1],
        ['D', 1],
      ]),
      tender: { status: 'cancelled' },
    };
    const random = {
      ...priced('R', undefined, [
        ['V', 1],
        ['D', 1],
      ]),
      tender: { procurementMethodDetails: 'Random Selection' },
    };
    const kept = priced('K', undefined, [
      ['V', 1],
      ['D', 1],
    ]);
    const ini = '[exclusions]\nprocurement_method_details = Random Selection\n[R028]\n';
    assert.equal(
      await printed([cancelled, random, kept], ini),
      '{"OCID":{"K":{"R028":1.0}},"Tenderer":{"D":{"R028":1.0},"V":{"R028":1.0}}}',
    );
  });
  it('no_price_comparison_procurement_methods leaves those processes out of the price indicators', async () => {
    const lottery = {
      ...priced('L', undefined, [
        ['V', 1],
        ['D', 1],
      ]),
      tender: { procurementMethodDetails: 'Lottery' },
    };
    assert.equal(await printed([lottery], 'no_price_comparison_procurement_methods = Lottery\n[R028]\n'), '{}');
  });
});

describe('the settings file', () => {
  it('names tests the way Cardinal does', () => {
    assert.equal(
      settingsOfName('R003-procurement_methods-open+selective'),
      '[R003]\nprocurement_methods = open|selective\n',
    );
  });
  it('refuses unknown sections and keys, wrong numbers, and the indicators not computed here', () => {
    assert.throws(() => parseSettings('[R999]\n'), /unknown section \[R999\]/);
    assert.throws(() => parseSettings('[R024]\nthreshhold = 1\n'), /unknown key "threshhold"/);
    assert.throws(() => parseSettings('[R003]\nthreshold = 1.5\n'), /not a whole number/);
    assert.throws(() => parseSettings('[R024]\nthreshold = abc\n'), /not a number/);
    assert.throws(() => parseSettings('[R044]\n'), /does not compute/);
    assert.throws(() => parseSettings('garbage line\n'), /line 1/);
    assert.throws(() => parseSettings(`; ${'x'.repeat(70_000)}`), /over/);
  });
  it('accepts the sections of `prepare` and comments, as `indicators` does', () => {
    const s = parseSettings('; comment\n[defaults]\ncurrency = USD\n[R018]\n# another\n');
    assert.deepEqual([...s.R018!.methods], ['open', 'selective']);
  });
});
