// The minimum sample of a survey instrument (NACC: a share of the population, at least a floor).
import type { MinSample } from './types.ts';

/** max(atLeast, ceil(share × population)), capped at the population when it is known (non-null). */
export function requiredSample(rule: MinSample, population: number | null): number {
  const wanted = Math.max(rule.atLeast, population === null ? 0 : Math.ceil(rule.share * population - 1e-9));
  return population === null ? wanted : Math.min(wanted, population);
}
