import { AppError } from '../errors.ts';

/** A refused settings file or input file: the message says where (line, key) and why. */
export function invalidInput(message: string): AppError {
  return new AppError('invalid_input', message, 'procurement.invalidFile');
}
