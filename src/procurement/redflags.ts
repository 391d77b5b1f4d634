// One run of red flags over OCDS releases: Cardinal's indicators (cardinal.ts) and the Thai flags
// (thai-flags.ts) folded together over one streamed reading of the input.
import type { Readable } from 'node:stream';
import { type CardinalState, createCardinal, finishCardinal, foldRelease } from './cardinal.ts';
import { type LineOptions, type LineReport, readJsonLines } from './json-lines.ts';
import type { Results } from './results.ts';
import type { CardinalSettings } from './settings.ts';
import { createThaiFlags, finishThaiFlags, foldThaiFlags, type ThaiState } from './thai-flags.ts';

export type RedFlagRun = { cardinal: CardinalState; thai: ThaiState; releases: number; ignored: number };

/**
 * `currency`: the currency Cardinal's indicators compare bids in, when known before the first release
 * (a part of a file whose earlier part set it); else the settings' or the first one seen.
 */
export function createRun(settings: CardinalSettings, currency?: string): RedFlagRun {
  const cardinal = createCardinal(
    currency === undefined || settings.currency !== undefined ? settings : { ...settings, currency },
  );
  return { cardinal, thai: createThaiFlags(settings, cardinal.orgs), releases: 0, ignored: 0 };
}

/** Folds one release into every indicator; a value Cardinal would skip (no ocid, cancelled, excluded) is ignored. */
export function foldRun(run: RedFlagRun, release: unknown): void {
  if (foldRelease(run.cardinal, release)) {
    foldThaiFlags(run.thai, release as Record<string, unknown>);
    run.releases += 1;
  } else run.ignored += 1;
}

export function finishRun(run: RedFlagRun): Results {
  const results = finishCardinal(run.cardinal);
  finishThaiFlags(run.thai, results);
  return results;
}

export type RedFlagOutcome = {
  results: Results;
  report: LineReport;
  /** Releases counted, and those skipped as Cardinal skips them (no ocid, cancelled, excluded). */
  releases: number;
  ignored: number;
  /** Bids skipped for being in another currency than the run's. */
  otherCurrency: number;
  currency: string | undefined;
};

/** Finishes `run` over the lines `report` describes. */
export function outcomeOf(run: RedFlagRun, report: LineReport): RedFlagOutcome {
  return {
    results: finishRun(run),
    report,
    releases: run.releases,
    ignored: run.ignored,
    otherCurrency: run.cardinal.otherCurrency + run.thai.otherCurrency,
    currency: run.cardinal.currency,
  };
}

/** Red flags over JSON lines read from `input`, in this thread (a file: redFlagsOfFile). */
export async function redFlagsOf(
  input: Readable,
  settings: CardinalSettings,
  options: LineOptions = {},
): Promise<RedFlagOutcome> {
  const run = createRun(settings);
  const report = await readJsonLines(input, (release) => foldRun(run, release), options);
  return outcomeOf(run, report);
}
