// The declaration checks, the juristic-number check digit, the form reading and the due dates,
// table-driven. Hostile input: forged kinds, malformed and oversized amounts, wrong check digits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.ts';
import { checkDeclaration, type Flag } from './checks.ts';
import { type Asset, type DeclarationContent, parseBaht, readDeclaration, totalsOf } from './content.ts';
import { duesOf, isReminderDue } from './due.ts';
import { isThaiId13, normaliseId } from './juristic.ts';
import { DEFAULT_POLICY } from './positions.ts';

const asset = (kind: Asset['kind'], value: number | null, acquiredOn: string | null = null): Asset => ({
  kind,
  description: kind,
  value,
  acquiredOn,
});
const decl = (p: Partial<DeclarationContent>): DeclarationContent => ({
  occasion: 'yearly',
  income: 600_000,
  assets: [],
  liabilities: [],
  interests: [],
  explanation: '',
  ...p,
});
const house = asset('building', 3_000_000, '2020-01-10');

describe('checkDeclaration', () => {
  const table: [string, DeclarationContent, DeclarationContent | null, Flag[]][] = [
    ['a plain first declaration', decl({ assets: [house, asset('deposit', 500_000)] }), null, []],
    [
      'net worth grew by more than the income (and unexplained)',
      decl({ assets: [house, asset('deposit', 1_700_000)] }),
      decl({ assets: [house, asset('deposit', 500_000)] }),
      ['net_worth_growth', 'change_unexplained'],
    ],
    [
      'net worth grew by more than the income, explained',
      decl({ assets: [house, asset('deposit', 1_700_000)], explanation: 'มรดก' }),
      decl({ assets: [house, asset('deposit', 500_000)] }),
      ['net_worth_growth'],
    ],
    [
      'net worth grew by exactly the income: no flag',
      decl({ assets: [house, asset('deposit', 1_100_000)], explanation: 'เงินเดือน' }),
      decl({ assets: [house, asset('deposit', 500_000)] }),
      [],
    ],
    [
      'cash exactly 10 × income',
      decl({ income: 100_000, assets: [asset('deposit', 1_000_000)] }),
      null,
      ['cash_10x_income'],
    ],
    ['cash just under 10 × income', decl({ income: 100_000, assets: [asset('deposit', 999_999.99)] }), null, []],
    ['cash with no income at all', decl({ income: 0, assets: [asset('deposit', 1)] }), null, ['cash_10x_income']],
    ['no cash and no income', decl({ income: 0, assets: [house] }), null, []],
    [
      'liabilities exactly 2 × (assets + income)',
      decl({
        income: 100_000,
        assets: [asset('vehicle', 400_000)],
        liabilities: [{ description: 'กู้', amount: 1_000_000 }],
      }),
      null,
      ['liabilities_2x'],
    ],
    [
      'liabilities under 2 × (assets + income)',
      decl({
        income: 100_000,
        assets: [asset('vehicle', 400_000)],
        liabilities: [{ description: 'กู้', amount: 999_999 }],
      }),
      null,
      [],
    ],
    [
      'an asset acquired without a value',
      decl({ assets: [asset('land', null, '2025-03-01')] }),
      null,
      ['asset_without_value'],
    ],
    ['an asset without a value or a date: no flag', decl({ assets: [asset('other', null)] }), null, []],
    [
      'a change of income by 100,000 without explanation',
      decl({ income: 700_000, assets: [house] }),
      decl({ income: 600_000, assets: [house] }),
      ['change_unexplained'],
    ],
    [
      'a change under 100,000: no flag',
      decl({ income: 699_999, assets: [house] }),
      decl({ income: 600_000, assets: [house] }),
      [],
    ],
    [
      'liabilities changed by 100,000 without explanation',
      decl({ assets: [house], liabilities: [{ description: 'บ้าน', amount: 100_000 }] }),
      decl({ assets: [house] }),
      ['change_unexplained'],
    ],
  ];
  for (const [name, current, previous, want] of table)
    it(name, () => assert.deepEqual(checkDeclaration(current, previous), want));

  it('counts an asset without a value as zero in the totals', () => {
    assert.deepEqual(totalsOf(decl({ assets: [asset('land', null), asset('deposit', 10)] })), {
      assets: 10,
      liabilities: 0,
      income: 600_000,
      cash: 10,
      netWorth: 10,
    });
  });
});

describe('isThaiId13', () => {
  const table: [string, boolean][] = [
    ['0107544000108', true], // PTT Public Company Limited
    ['0107536000102', true], // Siam Commercial Bank
    ['0107544000109', false], // wrong check digit
    ['0105536000315', false],
    ['010754400010', false], // 12 digits
    ['01075440001080', false], // 14 digits
    ['01075440001O8', false], // a letter O
    ['', false],
    ['๐๑๐๗๕๔๔๐๐๐๑๐๘', false], // Thai digits are not normalised here
  ];
  for (const [id, want] of table) it(`${id || '(empty)'} → ${want}`, () => assert.equal(isThaiId13(id), want));
  it('reads a number typed with dashes and spaces', () =>
    assert.equal(normaliseId('0-1075-44000-10-8 '), '0107544000108'));
});

describe('parseBaht', () => {
  const table: [string, number | null | 'invalid'][] = [
    ['', null],
    ['350000', 350000],
    ['350,000.50', 350000.5],
    ['๓๕๐๐๐๐', 350000],
    ['-5', 'invalid'],
    ['1e6', 'invalid'],
    ['12.345', 'invalid'],
    ['100000000001', 'invalid'],
    ['9'.repeat(40), 'invalid'],
    ['abc', 'invalid'],
  ];
  for (const [typed, want] of table)
    it(`${JSON.stringify(typed)} → ${want}`, () => assert.equal(parseBaht(typed), want));
});

describe('readDeclaration', () => {
  const form = (fields: Record<string, string>) => (name: string, max: number) => (fields[name] ?? '').slice(0, max);
  it('reads the filled rows, skips the empty ones, and reads B.E. dates', () => {
    const d = readDeclaration(
      form({
        occasion: 'entry',
        income: '480,000',
        'asset.0.kind': 'land',
        'asset.0.description': 'ที่ดินเชียงใหม่',
        'asset.0.value': '1200000',
        'asset.0.acquired': '1/2/2565',
        'asset.3.kind': 'deposit',
        'asset.3.description': 'ออมทรัพย์',
        'asset.3.value': '50000',
        'interest.1.kind': 'relative_business',
        'interest.1.juristic': '0-1075-44000-10-8',
        'interest.1.name': 'บริษัทญาติ จำกัด',
      }),
    );
    assert.equal(d.occasion, 'entry');
    assert.equal(d.income, 480000);
    assert.deepEqual(d.assets, [
      { kind: 'land', description: 'ที่ดินเชียงใหม่', value: 1200000, acquiredOn: '2022-02-01' },
      { kind: 'deposit', description: 'ออมทรัพย์', value: 50000, acquiredOn: null },
    ]);
    assert.deepEqual(d.interests, [{ kind: 'relative_business', juristicId: '0107544000108', name: 'บริษัทญาติ จำกัด' }]);
  });
  it('names every field at fault: forged kinds, bad amounts, dates and numbers, missing and oversized text', () => {
    try {
      readDeclaration(
        form({
          occasion: 'weekly',
          income: 'lots',
          'asset.0.kind': 'yacht',
          'asset.0.description': 'x'.repeat(301),
          'asset.0.value': '-1',
          'asset.0.acquired': '31/2/2567',
          'liability.0.amount': '5000',
          'interest.0.kind': 'shareholding',
          'interest.0.juristic': '0107544000109',
        }),
      );
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof AppError);
      assert.deepEqual(Object.keys(e.fields).sort(), [
        'asset.0.acquired',
        'asset.0.description',
        'asset.0.kind',
        'asset.0.value',
        'income',
        'interest.0.juristic',
        'interest.0.name',
        'liability.0.description',
        'occasion',
      ]);
    }
  });
});

describe('duesOf', () => {
  const policy = { ...DEFAULT_POLICY, yearlyDue: '10-30', entryDays: 30, leavingDays: 30 };
  it('is due on entry, yearly and on leaving; filed ones are marked', () => {
    const dues = duesOf(
      policy,
      [{ startedOn: '2026-01-05', leftOn: null }],
      [{ occasion: 'entry', filedOn: '2026-01-20' }],
      '2026-10-20',
    );
    assert.deepEqual(dues, [
      { occasion: 'entry', dueOn: '2026-02-04', isFiled: true },
      { occasion: 'yearly', dueOn: '2026-10-30', isFiled: false },
    ]);
    assert.equal(isReminderDue(dues[1], 7, '2026-10-22'), false);
    assert.equal(isReminderDue(dues[1], 7, '2026-10-23'), true);
    assert.equal(isReminderDue(dues[1], 7, '2026-10-31'), false);
  });
  it('asks a leaver for the leaving declaration, not a yearly one', () => {
    const dues = duesOf(policy, [{ startedOn: '2025-01-05', leftOn: '2026-06-01' }], [], '2026-06-10');
    assert.deepEqual(
      dues.map((d) => [d.occasion, d.dueOn]),
      [
        ['entry', '2025-02-04'],
        ['leaving', '2026-07-01'],
      ],
    );
  });
  it('asks no yearly declaration of someone whose entry period ends after the yearly day', () => {
    const dues = duesOf(policy, [{ startedOn: '2026-10-15', leftOn: null }], [], '2026-10-20');
    assert.deepEqual(
      dues.map((d) => d.occasion),
      ['entry'],
    );
  });
});
