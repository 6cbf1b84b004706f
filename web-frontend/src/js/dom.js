// Small typed DOM helpers shared by the pages.

/**
 * The element with this id, checked to be of the given class.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new (...args: any[]) => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page lacks #${id}.`);
  return element;
}

/**
 * Appends a time-stamped line to a list (newest first, at most 200 lines) and to the console.
 * @param {HTMLElement} list
 * @returns {(line: string) => void}
 */
export function logTo(list) {
  return (line) => {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()}  ${line}`;
    list.prepend(item);
    while (list.children.length > 200) list.lastElementChild?.remove();
    console.info(`[stagefleet] ${line}`);
  };
}

/**
 * Shows words in an alert element, or hides it for null.
 * @param {HTMLElement} element
 * @param {string | null} words
 */
export function showError(element, words) {
  element.textContent = words ?? '';
  element.hidden = !words;
}
