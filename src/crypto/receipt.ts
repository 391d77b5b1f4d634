// The reporter's receipt: 16 decimal digits (53 bits) from the CSPRNG, shown once.
import { randomInt } from 'node:crypto';
import { argon2id, subkey, type KdfParams } from './kdf.ts';
import { asciiDigits } from '../i18n/digits.ts';

export const RECEIPT_DIGITS = 16;

export function generateReceipt(): string {
  let digits = '';
  for (let i = 0; i < RECEIPT_DIGITS; i++) digits += String(randomInt(10));
  return digits;
}

/** Groups of four for reading aloud and writing down: 1234 5678 9012 3456. */
export function formatReceipt(receipt: string): string {
  return receipt.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Accepts what a person types (spaces, dashes, Thai digits); returns 16 ASCII digits or null. */
export function normalizeReceipt(input: string): string | null {
  const ascii = asciiDigits(input).replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${RECEIPT_DIGITS}}$`).test(ascii) ? ascii : null;
}

export type ReceiptKeys = { lookup: Buffer; key: Buffer };

/**
 * One Argon2id derivation of the receipt with the platform's receipt salt gives the lookup value
 * stored in the database and the reporter's key that wraps the case keys. Neither reveals the other.
 */
export async function deriveReceiptKeys(receipt: string, salt: Buffer, params: KdfParams): Promise<ReceiptKeys> {
  const master = await argon2id(receipt, salt, params);
  return { lookup: subkey(master, 'receipt-lookup'), key: subkey(master, 'receipt-key') };
}
