// Texts of the ITA: the public results pages and publishing them. Thai and English (merged by ../messages.ts).
export const th: Record<string, string> = {
};

export const en: Record<string, string> = {
};
