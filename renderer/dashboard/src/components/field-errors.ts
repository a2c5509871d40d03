// Where a failed call's error goes: next to the field it names when that field is on screen, else in
// the view's banner, so no error is ever invisible.
import type { IpcError } from '../../../../main/ipc/contract.js';
import { focusFirstInvalid } from './field.js';

/**
 * Puts each field error of `err` into `errors` (keyed by the form's id for that field, via `idOf`);
 * returns the error for the banner when some part of it has no field on screen, else null.
 */
export function placeErrors(err: IpcError, errors: Record<string, string>, idOf: (field: string) => string | null): IpcError | null {
  const list = err.fields?.length ? err.fields : err.field ? [{ field: err.field, message: err.message }] : [];
  let placed = 0;
  const unplaced: string[] = [];
  for (const f of list) {
    const id = idOf(f.field);
    if (id) {
      errors[id] = f.message;
      placed++;
    } else {
      unplaced.push(f.message);
    }
  }
  if (placed > 0) focusFirstInvalid();
  if (err.code === 'cancelled') return null;
  if (list.length === 0) return err;
  return unplaced.length ? { ...err, message: unplaced.join(' ') } : null;
}
