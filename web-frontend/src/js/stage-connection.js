// What the broadcaster's and the viewer's Stage objects share: timers passed in, and leaving a Stage. Pure.

/**
 * @typedef {(fn: () => void, ms: number) => () => void} Schedule  runs fn after ms; returns a cancel function
 */

/** @type {Schedule} */
export const defaultSchedule = (fn, ms) => {
  const handle = setTimeout(fn, ms);
  return () => clearTimeout(handle);
};

/**
 * Leaves a Stage. A Stage that never connected may throw on leave in some SDK versions; it is gone either way.
 * @param {Pick<import('amazon-ivs-web-broadcast').Stage, 'leave'>} stage
 */
export function leaveStage(stage) {
  try {
    stage.leave();
  } catch {
    // Gone either way.
  }
}
