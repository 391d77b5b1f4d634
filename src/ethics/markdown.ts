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

/**
 * The lesson as plain text for a chat (LINE shows no HTML): paragraphs and list items on their own
 * lines, a link's text followed by its address, an image replaced by its alternative text in
 * brackets (`hasImages`: the reader is sent to the web page for them). Nothing is interpreted.
 */
export function lessonText(markdown: string): { text: string; hasImages: boolean } {
  const tokens = md.parse(markdown.slice(0, MAX_LESSON_CHARS), {});
  const out: string[] = [];
  let line = '';
  let hasImages = false;
  const flush = () => {
    if (line.trim() !== '') out.push(line.trim());
    line = '';
  };
  for (const token of tokens) {
    if (token.type === 'list_item_open') line += '• ';
    else if (token.type === 'inline') {
      let href = '';
      for (const c of token.children ?? []) {
        if (c.type === 'text' || c.type === 'code_inline') line += c.content;
        else if (c.type === 'softbreak' || c.type === 'hardbreak') line += '\n';
        else if (c.type === 'link_open') href = String(c.attrGet('href') ?? '');
        else if (c.type === 'link_close' && href) line += ` (${href})`;
        else if (c.type === 'image') {
          hasImages = true;
          line += `[${c.content || '🖼'}]`;
        }
      }
    } else if (token.type === 'fence' || token.type === 'code_block') {
      line += token.content;
      flush();
    } else if (token.type.endsWith('_close') && token.block) flush();
  }
  flush();
  return { text: out.join('\n'), hasImages };
}
