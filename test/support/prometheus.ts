// A strict reader of the Prometheus text exposition format (version 0.0.4): every line a HELP, a
// TYPE, another comment, a blank or a sample; every sample of a family whose TYPE came before it;
// label values with only the three escapes; no series twice. Throws naming the first bad line.
export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Family = { type: string; help: string | null; samples: Sample[] };

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
// Values are read as Go's ParseFloat reads them (the format's own rule), which takes NaN in any
// case: prom-client writes its event-loop lag gauges as `Nan` until the first sample is taken.
const VALUE = String.raw`(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[Nn][Aa][Nn]|[+-]Inf)`;
const SAMPLE = new RegExp(String.raw`^(${NAME})(?:\{(.*)\})? (${VALUE})(?: (-?\d+))?$`);
const PAIR = new RegExp(String.raw`^(${LABEL})="((?:[^"\\\n]|\\[\\"n])*)"(,|$)`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count', ''],
};

function labelsOf(raw: string | undefined, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = raw ?? '';
  while (rest !== '') {
    const m = PAIR.exec(rest);
    if (!m) throw new Error(`bad labels: ${line}`);
    if (m[1] in labels) throw new Error(`label ${m[1]} twice: ${line}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
    if (m[3] === ',' && rest === '') break; // a trailing comma is allowed
  }
  return labels;
}

/** The families of `text`, by name. */
export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  const familyOf = (sample: string): Family | undefined => {
    for (const [name, f] of families) {
      const suffixes = SUFFIXES[f.type] ?? [''];
      if (suffixes.some((s) => sample === name + s)) return f;
    }
    return undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name: ${line}`);
      const f = families.get(name) ?? { type: 'untyped', help: null, samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type: ${line}`);
        if (families.has(name) && f.samples.length > 0) throw new Error(`TYPE after samples: ${line}`);
        f.type = rest;
      } else {
        if (f.help !== null) throw new Error(`HELP twice: ${line}`);
        f.help = rest;
      }
      families.set(name, f);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample: ${line}`);
    const labels = labelsOf(m[2], line);
    const f = familyOf(m[1]);
    if (!f) throw new Error(`sample of no declared family: ${line}`);
    const key = `${m[1]}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`series twice: ${line}`);
    series.add(key);
    f.samples.push({ name: m[1], labels, value: Number(m[3].replace('Inf', 'Infinity')) });
  }
  return families;
}
