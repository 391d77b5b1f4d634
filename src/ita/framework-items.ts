// The rules of a framework file that concern its items: questions asked in parts, OIT sub-indicators
// and the checklist, and the evidence every item carries (what NACC document its number and words
// come from). Used by parseFramework; each function appends faults as `path: reason`.
import type { RawFramework, RawQuestion } from './framework-schema.ts';
import type { ChecklistItem, Evidence, Indicator, Question, SubIndicator, Text } from './types.ts';

/** The id of part `k` (0-based) of question `id`: `i1` → `i1.1`, `i1.2`, … */
export const partId = (id: string, k: number): string => `${id}.${k + 1}`;

const joined = (stem: Text, part: Text): Text => ({ th: `${stem.th} – ${part.th}`, en: `${stem.en} – ${part.en}` });

/** Every answerable unit of the file's questions, in order: a question without parts, or each of its parts. */
export function expandQuestions(raw: readonly RawQuestion[]): Question[] {
  return raw.flatMap((q) => {
    const common = {
      indicator: q.indicator,
      scale: q.scale,
      ...(q.number ? { number: q.number } : {}),
      ...(q.evidence ? { evidence: q.evidence } : {}),
    };
    if (!q.parts) return [{ id: q.id, text: q.text, reverse: q.reverse === true, ...common }];
    return q.parts.map((p, k) => ({
      id: partId(q.id, k),
      text: joined(q.text, p.text),
      reverse: (p.reverse ?? q.reverse) === true,
      parent: q.id,
      stem: q.text,
      part: p.text,
      ...common,
    }));
  });
}

/** Checks the sub-indicators (each on an OIT indicator, ids unique and under their indicator's number). */
export function checkSubIndicators(faults: string[], raw: RawFramework, indicators: Indicator[]): SubIndicator[] {
  const byNumber = new Map(indicators.map((i) => [i.number, i]));
  const seen = new Set<string>();
  return (raw.subIndicators ?? []).map((s, k) => {
    const where = `subIndicators[${k}]`;
    if (seen.has(s.id)) faults.push(`subIndicators: duplicate id '${s.id}'`);
    seen.add(s.id);
    const ind = byNumber.get(s.indicator);
    if (!ind) faults.push(`${where}.indicator: unknown indicator ${s.indicator}`);
    else if (ind.instrument !== 'OIT')
      faults.push(`${where}.indicator: indicator ${s.indicator} is not an OIT indicator`);
    if (!s.id.startsWith(`${s.indicator}.`))
      faults.push(`${where}.id: '${s.id}' is not under indicator ${s.indicator}`);
    return { id: s.id, indicator: s.indicator, name: s.name, ...(s.evidence ? { evidence: s.evidence } : {}) };
  });
}

/**
 * The checklist with every item's group filled in: an item of an indicator that has sub-indicators
 * MUST name one of them (its group is then "9.1 name"); an item of another indicator MUST have a group.
 * Every sub-indicator MUST have at least one item.
 */
export function checkChecklist(faults: string[], raw: RawFramework, subs: SubIndicator[]): ChecklistItem[] {
  const byId = new Map(subs.map((s) => [s.id, s]));
  const divided = new Set(subs.map((s) => s.indicator));
  const items = raw.checklist.map((c, k) => {
    const where = `checklist[${k}]`;
    let group = c.group;
    if (divided.has(c.indicator)) {
      const sub = c.subIndicator === undefined ? undefined : byId.get(c.subIndicator);
      if (!sub)
        faults.push(`${where}.subIndicator: indicator ${c.indicator} is divided; name one of its sub-indicators`);
      else if (sub.indicator !== c.indicator)
        faults.push(`${where}.subIndicator: ${sub.id} belongs to indicator ${sub.indicator}`);
      else group ??= { th: `${sub.id} ${sub.name.th}`, en: `${sub.id} ${sub.name.en}` };
    } else if (c.subIndicator !== undefined) {
      faults.push(`${where}.subIndicator: indicator ${c.indicator} has no sub-indicators`);
    }
    if (!group) faults.push(`${where}: missing field 'group'`);
    return { ...c, group: group ?? c.text };
  });
  for (const s of subs)
    if (!items.some((c) => c.subIndicator === s.id)) faults.push(`subIndicators: ${s.id} has no checklist item`);
  return items;
}

function checkOne(faults: string[], where: string, e: Evidence | undefined, raw: RawFramework, isRequired: boolean) {
  if (!e) {
    if (isRequired) faults.push(`${where}: missing field 'evidence' (a file that cites sources cites them everywhere)`);
    return;
  }
  for (const key of e.sources)
    if (!raw.sources || !Object.hasOwn(raw.sources, key)) faults.push(`${where}.evidence: unknown source '${key}'`);
  if (e.status !== 'unconfirmed' && e.sources.length === 0)
    faults.push(`${where}.evidence: '${e.status}' needs at least one source`);
  if (e.status === 'other-year' && e.year === undefined)
    faults.push(`${where}.evidence: 'other-year' needs the year the words were quoted from`);
  if (e.status === 'unconfirmed' && !e.note) faults.push(`${where}.evidence: 'unconfirmed' needs a note saying why`);
}

/**
 * Checks every evidence field against the file's sources. A file with `sources` MUST give evidence
 * for every indicator, sub-indicator, question and checklist item, and for the framework-wide
 * figures (weights, grades, passMark, answerPoints, scoring).
 */
export function checkEvidence(faults: string[], raw: RawFramework): void {
  const isRequired = raw.sources !== undefined;
  const sections: [string, readonly { evidence?: Evidence }[]][] = [
    ['indicators', raw.indicators],
    ['subIndicators', raw.subIndicators ?? []],
    ['questions', raw.questions],
    ['checklist', raw.checklist],
  ];
  for (const [name, rows] of sections)
    for (const [k, x] of rows.entries()) checkOne(faults, `${name}[${k}]`, x.evidence, raw, isRequired);
  for (const topic of FRAMEWORK_TOPICS) checkOne(faults, `evidence.${topic}`, raw.evidence?.[topic], raw, isRequired);
  for (const topic of Object.keys(raw.evidence ?? {}))
    if (!(FRAMEWORK_TOPICS as readonly string[]).includes(topic))
      faults.push(`evidence: unknown topic '${topic}' (known: ${FRAMEWORK_TOPICS.join(', ')})`);
}

/** The framework-wide figures that carry evidence in a file that cites sources. */
export const FRAMEWORK_TOPICS = ['weights', 'grades', 'passMark', 'minSample', 'answerPoints', 'scoring'] as const;
