// What the operator decided per room: locked (no new names) and an access code. Set from the dashboard
// or the control surface only, so the table is bounded by the operator, never by clients. Kept while the
// room is empty: a code is usually set before the class arrives.
import { keyMatches } from './admission.js';
import { isValidName } from './protocol.js';

export interface RoomPolicy {
  /** New names are refused (`room-locked`); names already in the room may resume after a reload. */
  locked: boolean;
  /** Connections must present `?code=` with this value (`invalid-room-code`); null: no code. */
  code: string | null;
}

/** A room code: 1 to 32 code points, no control characters or spaces (it travels in a URL and a QR code). */
export function isValidRoomCode(code: string): boolean {
  return isValidName(code, 1, 32) && !/\s/.test(code);
}

const OPEN: RoomPolicy = Object.freeze({ locked: false, code: null });

export class RoomPolicies {
  readonly #rooms = new Map<string, RoomPolicy>();

  get(room: string): RoomPolicy {
    return this.#rooms.get(room) ?? OPEN;
  }

  /** Changes the room's policy (fields left out keep their value); an open policy is forgotten. */
  set(room: string, patch: Partial<RoomPolicy>): RoomPolicy {
    const current = this.get(room);
    const next: RoomPolicy = {
      locked: patch.locked ?? current.locked,
      code: patch.code === undefined ? current.code : patch.code,
    };
    if (next.code !== null && !isValidRoomCode(next.code))
      throw new TypeError('a room code is 1 to 32 characters without spaces or control characters');
    if (!next.locked && next.code === null) this.#rooms.delete(room);
    else this.#rooms.set(room, next);
    return next;
  }

  /** Whether `presented` opens `room` (always true for a room without a code). */
  admits(room: string, presented: string | null): boolean {
    const code = this.get(room).code;
    return code === null || keyMatches(presented, code);
  }

  /** Rooms with a policy, with it. */
  entries(): Array<[string, RoomPolicy]> {
    return [...this.#rooms.entries()];
  }
}
