// Small OCDS releases for the red-flag tests, written for these tests, and Cardinal's way of naming
// a test by its settings (cardinal-rs tests/fixtures/indicators: "R003-threshold-10" is
// `[R003] threshold = 10`; "R003-procurement_methods-open+selective" is `open|selective`;
// "R003-procurement_method_details-x-5-y-10" is `[R003.procurement_method_details] x = 5, y = 10`).
import { Readable } from 'node:stream';
import { redFlagsOf, type RedFlagOutcome } from '../../src/procurement/redflags.ts';
import { resultsJson } from '../../src/procurement/results.ts';
import { parseSettings } from '../../src/procurement/settings.ts';

/** The settings file a Cardinal test name stands for. */
export function settingsOfName(name: string): string {
  const [section, ...rest] = name.split('-');
  const lines = [`[${section}]`];
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === 'procurement_method_details') {
      lines.push(`[${section}.procurement_method_details]`);
      i -= 1;
      continue;
    }
    lines.push(`${rest[i]} = ${rest[i + 1]!.replaceAll('+', '|')}`);
  }
  return `${lines.join('\n')}\n`;
}

export const jsonl = (releases: unknown[]): string => releases.map((r) => JSON.stringify(r)).join('\n');

export async function run(input: string, ini: string, maxLineBytes?: number): Promise<RedFlagOutcome> {
  return redFlagsOf(Readable.from([Buffer.from(input)]), parseSettings(ini), { maxLineBytes });
}

/** What `ocdscardinal indicators --no-meta` prints for these releases under a named test's settings. */
export async function printed(releases: unknown[], nameOrIni: string): Promise<string> {
  const ini = nameOrIni.includes('\n') ? nameOrIni : settingsOfName(nameOrIni);
  return resultsJson((await run(jsonl(releases), ini)).results, true);
}

type BidSpec = [tenderer: string, amount?: number, status?: string, currency?: string];

/** A release with bids (valid unless said) and one active award to `winner` (none when undefined). */
export function priced(ocid: string, winner: string | undefined, bids: BidSpec[], extra: object = {}) {
  return {
    ocid,
    bids: {
      details: bids.map(([id, amount, status = 'valid', currency = 'USD']) => ({
        status,
        tenderers: [{ id }],
        ...(amount === undefined ? {} : { value: { amount, currency } }),
      })),
    },
    ...(winner === undefined ? {} : { awards: [{ status: 'active', suppliers: [{ id: winner }] }] }),
    ...extra,
  };
}
