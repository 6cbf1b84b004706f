// The broadcaster's table of stages: one row per stage, with its state, connection, viewers and last error.

/** @typedef {import('./stage-publisher.js').StageRow} StageRow */

const LINK_WORDS = { connecting: 'connecting', connected: 'connected', errored: 'errored', disconnected: 'disconnected' };

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
    td.colSpan = 5;
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
    const link = row.link === 'connected' ? (row.publishing ? 'publishing' : 'connected, not publishing yet')
      : LINK_WORDS[row.link];
    const cells = [row.stageId, row.state, link, row.viewers === null ? '–' : String(row.viewers),
      row.error ?? ''];
    tr.append(...cells.map((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 2) td.className = `link link-${row.link}`;
      if (i === 4 && row.error) td.className = 'note-error';
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
 * @param {StageRow[]} rows
 * @returns {{live: boolean, errored: number, words: string}}
 */
export function liveSummary(rows) {
  const publishing = rows.filter((r) => r.publishing).length;
  const errored = rows.filter((r) => r.link === 'errored').length;
  const errors = errored ? `; ${errored} with errors` : '';
  if (rows.length === 0) {
    return { live: false, errored, words: 'Not live yet: the broadcast has no stage; the operator creates the first one.' };
  }
  if (publishing === 0) {
    return { live: false, errored, words: `Not live yet: connecting to ${stagesWord(rows.length)}…${errors}` };
  }
  return { live: true, errored, words: `Live on ${publishing} of ${stagesWord(rows.length)}${errors}.` };
}
