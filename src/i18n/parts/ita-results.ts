// Texts of the ITA: results, charts, measures plan, progress and the monitoring report. Thai and English (merged by ../messages.ts).
export const th: Record<string, string> = {
};

export const en: Record<string, string> = {
};
