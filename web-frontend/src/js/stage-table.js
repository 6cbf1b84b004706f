// The broadcaster's table of stages: one row per stage, with its feed (origin, or replica of another stage), state,
// connection, viewers and last error.

/** @typedef {import('./stage-publisher.js').StageRow} StageRow */

const LINK_WORDS = {
  connecting: 'connecting', connected: 'connected', errored: 'errored', disconnected: 'disconnected',
  replicated: 'not joined: IVS replication feeds it',
};

/**
 * Words for a stage's feed: origin, replica of its source, or direct when the gateway does not say.
 * @param {StageRow} row
 */
export function feedWords(row) {
  if (row.source !== null) return `replica of ${row.source}`;
  return row.feed ?? 'direct';
}

/**
 * Words for the page's connection to a stage.
 * @param {StageRow} row
 */
export function linkWords(row) {
  const link = row.link === 'connected' ? (row.publishing ? 'publishing' : 'connected, not publishing yet')
    : LINK_WORDS[row.link];
  return row.handingOver ? `${link}; leaving once replication carries it` : link;
}

/**
 * @param {HTMLTableElement} table
 * @param {StageRow[]} rows
 * @param {string} emptyWords  what the table says when there is no stage
 */
export function renderStageTable(table, rows, emptyWords) {
  const body = table.tBodies[0];
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    const td = document.createElement('td');
    td.colSpan = 6;
    td.textContent = emptyWords;
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...rows.map((row) => {
    const tr = document.createElement('tr');
    tr.dataset.stageId = row.stageId;
    tr.dataset.stageArn = row.stageArn;
    tr.dataset.link = row.link;
    tr.dataset.state = row.state;
    tr.dataset.publishing = String(row.publishing);
    tr.dataset.feed = row.feed ?? 'direct';
    if (row.source !== null) tr.dataset.source = row.source;
    const cells = [row.stageId, feedWords(row), row.state, linkWords(row),
      row.viewers === null ? '–' : String(row.viewers), row.error ?? ''];
    tr.append(...cells.map((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 1) td.className = 'feed';
      if (i === 3) td.className = `link link-${row.link}`;
      if (i === 5 && row.error) td.className = 'note-error';
      return td;
    }));
    return tr;
  }));
}

/**
 * Words for "n stages" with the right plural.
 * @param {number} n
 */
export function stagesWord(n) {
  return `${n} stage${n === 1 ? '' : 's'}`;
}

/**
 * Whether the broadcast is live, and the words for it: live only while at least one stage reports publishing.
 * Stages fed by IVS replication are counted apart: the page does not publish into them.
 * @param {StageRow[]} rows
 * @returns {{live: boolean, errored: number, words: string}}
 */
export function liveSummary(rows) {
  const publishing = rows.filter((r) => r.publishing).length;
  const errored = rows.filter((r) => r.link === 'errored').length;
  const replicated = rows.filter((r) => r.link === 'replicated').length;
  const on = rows.length - replicated;
  const errors = errored ? `; ${errored} with errors` : '';
  const fed = replicated ? `; ${stagesWord(replicated)} fed by IVS replication` : '';
  if (rows.length === 0) {
    return { live: false, errored, words: 'Not live yet: the broadcast has no stage; the operator creates the first one.' };
  }
  if (publishing === 0) {
    return { live: false, errored, words: `Not live yet: connecting to ${stagesWord(on)}…${fed}${errors}` };
  }
  return { live: true, errored, words: `Live on ${publishing} of ${stagesWord(on)}${fed}${errors}.` };
}
