// Thai 13-digit identification numbers. A juristic-person registration number (Department of
// Business Development) is also the company's tax identification number, and carries the same
// check digit as a citizen's number: the first 12 digits weighted 13 … 2, the check digit
// (11 − sum mod 11) mod 10. Sources: the Revenue Department's rule as described at
// https://tools.gera.services/thailand-tin-validator (third-party, not an official page), checked
// by hand on published numbers (PTT 0107544000108, SCB 0107536000102). Not confirmed from a DBD
// page: an agency that meets a registered number failing the check should tell us.
import { asciiDigits } from '../i18n/digits.ts';

/** Whether `id` is 13 digits whose last is the Thai check digit of the first 12. Pure. */
export function isThaiId13(id: string): boolean {
  if (!/^[0-9]{13}$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (id.charCodeAt(i) - 48) * (13 - i);
  return (11 - (sum % 11)) % 10 === id.charCodeAt(12) - 48;
}

/** A typed number without spaces or dashes (1-2345-67890-12-3 is written with them), Thai digits as ASCII. */
export function normaliseId(typed: string): string {
  return asciiDigits(typed).replace(/[\s-]/g, '');
}
