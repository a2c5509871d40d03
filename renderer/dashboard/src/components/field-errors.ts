// Where a failed call's error goes: next to the field it names when that field is on screen, else in
// the view's banner, so no error is ever invisible.
import type { IpcError } from '../../../../main/ipc/contract.js';
import { toIpcError } from '../api.js';
import { requestRender } from '../schedule.js';
import { focusFirstInvalid } from './field.js';

/**
 * Puts each field error of `err` into `errors` (keyed by the form's id for that field, via `idOf`);
 * returns the error for the banner when some part of it has no field on screen, else null.
 */
export function placeErrors(
  err: IpcError,
  errors: Record<string, string>,
  idOf: (field: string) => string | null,
): IpcError | null {
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

/** What a form view keeps about its actions: which one runs, its banner error, and its field errors. */
export interface FormActions<Busy> {
  busy: Busy | null;
  error: IpcError | null;
  errors: Record<string, string>;
}

/**
 * Runs one action of a form view: marks it busy while it runs, and places a failure's field errors next to
 * their fields (`idOf` maps the contract's field names to the form's ids) and the rest in the banner.
 */
export async function runFormAction<Busy>(
  ui: FormActions<Busy>,
  busy: Busy,
  idOf: (field: string) => string | null,
  fn: () => Promise<void>,
): Promise<void> {
  ui.busy = busy;
  ui.error = null;
  requestRender();
  try {
    await fn();
  } catch (err) {
    ui.error = placeErrors(toIpcError(err), ui.errors, idOf);
  } finally {
    ui.busy = null;
    requestRender();
  }
}
