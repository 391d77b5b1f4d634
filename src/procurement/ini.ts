// The settings file as Cardinal reads it (the `config` crate's INI source): `[section]` headers,
// `key = value` lines, comments starting with `;` or `#`, and dotted sections
// (`[R003.procurement_method_details]`) nested under their parent. Values stay text: each setting
// says how it is read. Unknown sections and keys are refused, as Cardinal refuses them
// (serde's deny_unknown_fields), with the line they are on.
import { invalidInput } from './invalid.ts';

/** A section's keys, and its dotted subsections by name. */
export type IniSection = { keys: Map<string, string>; subsections: Map<string, Map<string, string>> };

/** Sections by name in the order written; '' holds the keys written before any header. */
export type Ini = Map<string, IniSection>;

/** A settings file longer than this is refused: Cardinal's is a screenful. */
export const MAX_INI_BYTES = 64 * 1024;

const HEADER = /^\[\s*([^\]\s]+)\s*\]$/;
const PAIR = /^([^=:]+?)\s*[=:]\s*(.*)$/;

function sectionOf(ini: Ini, name: string): IniSection {
  const found = ini.get(name);
  if (found) return found;
  const section: IniSection = { keys: new Map(), subsections: new Map() };
  ini.set(name, section);
  return section;
}

/** Parses the text of a settings file; MUST refuse a line that is neither a header, a pair nor a comment. */
export function parseIni(text: string): Ini {
  if (Buffer.byteLength(text) > MAX_INI_BYTES) throw invalidInput(`settings: over ${MAX_INI_BYTES} bytes`);
  const ini: Ini = new Map();
  let keys = sectionOf(ini, '').keys;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = HEADER.exec(line);
    if (header) {
      const [parent, ...rest] = header[1]!.split('.');
      const section = sectionOf(ini, parent!);
      if (rest.length === 0) keys = section.keys;
      else {
        const sub = rest.join('.');
        keys = section.subsections.get(sub) ?? new Map();
        section.subsections.set(sub, keys);
      }
      continue;
    }
    const pair = PAIR.exec(line);
    if (!pair) throw invalidInput(`settings line ${i + 1}: not "key = value", a [section] or a comment`);
    keys.set(pair[1]!.trim(), unquote(pair[2]!.trim()));
  }
  return ini;
}

function unquote(value: string): string {
  return value.length >= 2 && value[0] === '"' && value.endsWith('"') ? value.slice(1, -1) : value;
}
