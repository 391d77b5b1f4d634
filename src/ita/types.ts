// The shapes of the ITA: a framework (one fiscal year's assessment, loaded from a file), the answers
// as counts, and the scores. Every score is in hundredths (8341 = 83.41), so the arithmetic is exact.

export type Text = { th: string; en: string };
export type InstrumentCode = 'IIT' | 'EIT' | 'OIT';
export type SurveyInstrument = 'IIT' | 'EIT';

/** An answer scale. `levels`: answers 1..points.length, scored points[answer - 1]; `yesno`: 1 = yes, 0 = no. */
export type Scale =
  | { kind: 'levels'; points: number[]; labels: Text[] }
  | { kind: 'yesno'; yes: number; no: number; labels: { yes: Text; no: Text } };

/**
 * Where an item's number and wording come from. `quoted`: quoted from `sources` for this fiscal year;
 * `other-year`: quoted from `sources` for fiscal year `year`, not checked for this one; `unconfirmed`:
 * found in no source checked (`note` says what it rests on). Sources are keys of the framework's `sources`.
 */
export type Evidence = {
  status: 'quoted' | 'other-year' | 'unconfirmed';
  sources: string[];
  year?: number;
  note?: string;
};

/** A document the framework cites: NACC's own (`nacc`), or an agency's page or copy that quotes it (`agency`). */
export type Source = { kind: 'nacc' | 'agency' | 'press' | 'sujarit'; title: string; url: string; note?: string };

/**
 * One answerable unit of a survey: a question, or one part of a question NACC asks in parts ("I1 …
 * ตามประเด็นดังต่อไปนี้": 1) … 2) …). Parts share `parent` (the question's id, e.g. `i1`) and `stem`
 * (the question's own words); `text` is what a respondent reads (stem and part together).
 */
export type Question = {
  id: string;
  indicator: number;
  scale: string;
  text: Text;
  /** Scored the other way round: for levels, points reversed; for yes/no, yes and no swapped. */
  reverse: boolean;
  /** NACC's number of the question ("I1"); absent in a framework that has none. */
  number?: string;
  parent?: string;
  stem?: Text;
  part?: Text;
  evidence?: Evidence;
};

export type ChecklistItem = {
  id: string;
  indicator: number;
  /** The sub-indicator heading NACC groups items under, e.g. "9.1 ข้อมูลพื้นฐาน". */
  group: Text;
  text: Text;
  /** Filled from Sujarit's own figures (`complaint-figures`): the page shows them as evidence. */
  source?: 'complaint-figures';
  /** NACC's number of the item ("O24"). */
  number?: string;
  /** The sub-indicator (e.g. "9.4") the item is scored in, when the framework has sub-indicators. */
  subIndicator?: string;
  evidence?: Evidence;
};

/** An OIT sub-indicator (NACC's ตัวชี้วัดย่อย, e.g. "9.4"): its score is the share of its items disclosed. */
export type SubIndicator = { id: string; indicator: number; name: Text; evidence?: Evidence };

export type Indicator = { number: number; instrument: InstrumentCode; name: Text; weight: number; evidence?: Evidence };

/** The smallest sample NACC accepts: max(atLeast, ceil(share × population)), never above the population when it is known. */
export type MinSample = { atLeast: number; share: number };

export type Instrument = {
  code: InstrumentCode;
  name: Text;
  /** Weight in the ITA score, in basis points (3000 = 0.30). */
  weight: number;
  /** Survey instruments only. */
  minSample?: MinSample;
};

export type Grade = { grade: string; min: number };

/** A validated framework. Weights are basis points (instruments sum to 10000; indicators relative within their instrument); grade minimums and the pass mark are hundredths. */
export type Framework = {
  format: 'sujarit-ita-framework/1';
  fiscalYear: number;
  title: Text;
  instruments: Instrument[];
  indicators: Indicator[];
  scales: Record<string, Scale>;
  questions: Question[];
  checklist: ChecklistItem[];
  grades: Grade[];
  passMark: number;
  /** Survey results are shown only from this many completed questionnaires per instrument. */
  disclosureThreshold: number;
  /** OIT sub-indicators: an OIT indicator that has some is scored as the mean of theirs. */
  subIndicators?: SubIndicator[];
  /** The documents cited by `evidence` fields, by key. */
  sources?: Record<string, Source>;
  /** Evidence for the framework-wide figures: `weights`, `grades`, `passMark`, `minSample`, `answerPoints`, `scoring`. */
  evidence?: Record<string, Evidence>;
  /** True when the file is Sujarit's draft, not checked against NACC's manual of the year. */
  isDraft?: boolean;
};

/** Answer counts of one question: answer value → how many gave it. */
export type QuestionTally = Map<number, number>;

/** What scoring reads: survey answers as counts, respondents per survey, OIT verdicts. */
export type Answers = {
  tallies: Map<string, QuestionTally>;
  respondents: Record<SurveyInstrument, number>;
  /** Checklist item id → true (disclosed), false (not); an item absent is not disclosed. */
  verdicts: Map<string, boolean>;
};

export type QuestionScore = { id: string; indicator: number; score: number | null; answered: number; missing: number };
/** A question as NACC numbers and publishes it: the mean of its parts' scores (its own score when it has none). */
export type MainQuestionScore = { id: string; indicator: number; score: number | null };
export type SubIndicatorScore = { id: string; indicator: number; score: number | null };
export type IndicatorScore = { number: number; instrument: InstrumentCode; score: number | null };
export type InstrumentScore = { code: InstrumentCode; score: number | null; respondents: number | null };

/** The breakdown; a score is null where nothing was answered. `ita` and `grade` are null until every instrument has a score. */
export type ScoreResult = {
  /** Every answerable unit (a question, or one part of a question). */
  questions: QuestionScore[];
  /** Absent in results computed before sub-indicators and parts were scored. */
  mainQuestions?: MainQuestionScore[];
  subIndicators?: SubIndicatorScore[];
  checklist: { id: string; indicator: number; disclosed: boolean }[];
  indicators: IndicatorScore[];
  instruments: InstrumentScore[];
  ita: number | null;
  grade: string | null;
  passed: boolean | null;
};

/** Progress of a survey instrument: answers against the framework's minimum sample. */
export type SurveyProgress = {
  instrument: SurveyInstrument;
  responses: number;
  required: number;
  population: number | null;
  isEnough: boolean;
  isDisclosed: boolean;
};

/** One measure (project) in the monitoring report, in seed 003's structure. Money as decimal strings ('12500.00'). */
export type ReportProject = {
  indicator: number;
  indicatorName: string;
  title: string;
  objective: string;
  steps: string;
  responsibleUnit: string;
  /** YYYY-MM-DD (Gregorian; the PDF prints Buddhist Era dates) */
  startsOn: string;
  endsOn: string;
  budget: string;
  /** null: no progress recorded for this round */
  progress: { text: string; percent: number; budgetUsed: string; problems: string; suggestions: string } | null;
};

/** Everything the monitoring report PDF prints; already in the language asked for. */
export type MonitoringReport = {
  lang: 'th' | 'en';
  thaiDigits: boolean;
  agencyName: string;
  fiscalYear: number;
  /** six-month or twelve-month report */
  round: 6 | 12;
  /** YYYY-MM-DD */
  generatedOn: string;
  /** Scores by year, oldest first, hundredths (null: not assessed). */
  scores: {
    fiscalYear: number;
    iit: number | null;
    eit: number | null;
    oit: number | null;
    ita: number | null;
    grade: string | null;
  }[];
  projects: ReportProject[];
};
