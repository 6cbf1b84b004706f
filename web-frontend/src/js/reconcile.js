// What to do when the gateway sends the full set of stages (a snapshot, e.g. after a reconnect). Pure.

/** @typedef {import('./messages.js').StageOffer} StageOffer */

/**
 * @typedef {object} StagePlan
 * @property {StageOffer[]} join     stages in the snapshot the page is not on yet
 * @property {string[]} leave        ARNs of stages the page is on that the snapshot no longer lists
 * @property {StageOffer[]} update   stages the page is on and keeps (their state may have changed)
 */

/**
 * Compares the stages the page is on with a snapshot: join what is missing, leave what is gone, keep the rest.
 * Tokens of kept stages are not used again (a participant token is good for one connection only).
 * @param {Iterable<string>} currentArns
 * @param {StageOffer[]} snapshot
 * @returns {StagePlan}
 */
export function planStages(currentArns, snapshot) {
  const current = new Set(currentArns);
  /** @type {Map<string, StageOffer>} */
  const wanted = new Map();
  for (const offer of snapshot) wanted.set(offer.stageArn, offer);
  /** @type {StagePlan} */
  const plan = { join: [], leave: [], update: [] };
  for (const [arn, offer] of wanted) (current.has(arn) ? plan.update : plan.join).push(offer);
  for (const arn of current) if (!wanted.has(arn)) plan.leave.push(arn);
  return plan;
}
