// Thai digits (๐–๙, U+0E50–U+0E59) as ASCII digits: what a Thai keyboard types into a number,
// date or registration-number field is read as the same number.
export function asciiDigits(typed: string): string {
  return typed.replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50));
}
