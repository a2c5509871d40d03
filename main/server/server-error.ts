import type { ServerProblem } from './surface.js';

/** An error from start() or reconfigure() carrying what the user should see. */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(readonly problem: ServerProblem) {
    super(problem.message);
  }
}
