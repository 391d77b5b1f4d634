// Lessons are written in Markdown and shown as HTML, safely: markdown-it with raw HTML off (a tag
// typed in a lesson shows as text), links limited to http(s), mailto and our own paths, and images
// only from our own origin (a lesson's attachments, /staff/ethics/images/<id>): a lesson cannot
// make the reader's browser fetch anything elsewhere.
import MarkdownIt from 'markdown-it';

/**
 * The longest lesson text (characters) in either language; the database checks it too. A form
 * posts Thai percent-encoded (9 bytes a character): two texts of 12,000 Thai characters fit the
 * forms' 256 KiB (MAX_FIELDS_BYTES); a longer lesson is split into lessons.
 */
export const MAX_LESSON_CHARS = 12_000;

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const SAFE_LINK = /^(https?:\/\/|mailto:|\/(?!\/))/i;
const OWN_IMAGE = /^\/staff\/ethics\/images\/\d+$/;

md.validateLink = (url: string) => SAFE_LINK.test(url.trim());
const defaultImage = md.renderer.rules.image;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const src = String(token?.attrGet('src') ?? '');
  if (!token || !OWN_IMAGE.test(src)) return md.utils.escapeHtml(String(token?.content ?? ''));
  token.attrSet('loading', 'lazy');
  return defaultImage ? defaultImage(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
};

/** The lesson's HTML: escaped text, no raw HTML, no foreign images. */
export function renderLesson(markdown: string): string {
  return md.render(markdown.slice(0, MAX_LESSON_CHARS));
}
