// Texts of the ITA: the public survey pages (IIT one-time links, EIT public link). Thai and English (merged by ../messages.ts).
export const th: Record<string, string> = {
};

export const en: Record<string, string> = {
};
