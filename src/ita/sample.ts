// The minimum sample of a survey instrument (NACC: a share of the population, at least a floor).
import type { Cycle } from './cycles.ts';
import type { MinSample, SurveyInstrument, SurveyProgress } from './types.ts';

/** max(atLeast, ceil(share × population)), capped at the population when it is known (non-null). */
export function requiredSample(rule: MinSample, population: number | null): number {
  const wanted = Math.max(rule.atLeast, population === null ? 0 : Math.ceil(rule.share * population - 1e-9));
  return population === null ? wanted : Math.min(wanted, population);
}

/** Responses against the minimum sample, per survey instrument of the cycle's framework (IIT's population: the staff count). */
export function surveyProgress(cycle: Cycle): SurveyProgress[] {
  const f = cycle.framework;
  return f.instruments.flatMap((i) => {
    if (i.code === 'OIT' || !i.minSample) return [];
    const instrument = i.code as SurveyInstrument;
    const population = instrument === 'IIT' ? cycle.staffCount : null;
    const responses = instrument === 'IIT' ? cycle.iitResponses : cycle.eitResponses;
    const required = requiredSample(i.minSample, population);
    return [
      {
        instrument,
        responses,
        required,
        population,
        isEnough: responses >= required,
        isDisclosed: responses >= f.disclosureThreshold,
      },
    ];
  });
}
