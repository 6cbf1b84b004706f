// What to do when the gateway sends the full set of stages (a snapshot, e.g. after a reconnect), and whether to be
// on a stage as its feed changes (origin or replica). Pure.

/** @typedef {import('./messages.js').StageOffer} StageOffer */

/**
 * @typedef {object} StagePlan
 * @property {StageOffer[]} join     stages in the snapshot the page does not know yet
 * @property {string[]} leave        ARNs of stages the page knows that the snapshot no longer lists
 * @property {StageOffer[]} update   stages the page knows and keeps (their state or feed may have changed)
 */

/**
 * Compares the stages the page knows with a snapshot: add what is missing, leave what is gone, keep the rest.
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

/**
 * How long the page goes on publishing into a stage after the gateway says IVS replication feeds it (counted from
 * when the page publishes into the stage's source too). The status names a replica once the operator's start call
 * was accepted, but IVS does not say how soon the replica is visible to viewers; the double upload for these
 * seconds is what it costs that a viewer never sees the broadcaster go.
 */
export const HANDOVER_MS = 10_000;

/**
 * What the page knows about one stage's feed.
 * @typedef {object} FeedView
 * @property {boolean} publish       the gateway says to publish into it (an origin, or a stage not assigned yet)
 * @property {boolean} onStage       the page is on it (joined, joining, or retrying)
 * @property {number | null} replicaSince  when the gateway began to say replication feeds it (ms)
 * @property {number | null} sourcePublishingSince  since when the page publishes into its source; null while not
 */

/**
 * @typedef {{action: 'join'} | {action: 'keep'} | {action: 'leave'} | {action: 'replicated'}
 *   | {action: 'hold', recheckInMs: number | null}} FeedStep
 */

/**
 * Whether to be on a stage: join an origin at once (a replica that fell back to origin, too); leave a stage the page
 * publishes into only once replication can carry it: the gateway says a replica, the page publishes into its source,
 * and both have held for {@link HANDOVER_MS}. Until then hold (recheckInMs: when to look again; null: when the
 * source's publishing changes).
 * @param {FeedView} view
 * @param {number} now
 * @returns {FeedStep}
 */
export function feedStep(view, now) {
  if (view.publish) return { action: view.onStage ? 'keep' : 'join' };
  if (!view.onStage) return { action: 'replicated' };
  if (view.sourcePublishingSince === null) return { action: 'hold', recheckInMs: null };
  const since = Math.max(view.replicaSince ?? now, view.sourcePublishingSince);
  const left = since + HANDOVER_MS - now;
  return left <= 0 ? { action: 'leave' } : { action: 'hold', recheckInMs: left };
}
