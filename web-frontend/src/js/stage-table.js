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
    const cells = [row.stageId, row.state, LINK_WORDS[row.link], row.viewers === null ? '–' : String(row.viewers),
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
