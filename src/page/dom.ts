/**
 * DOM helpers of the page. Every value from a stats document is attacker-controlled: it only ever reaches the
 * DOM through textContent (after escapeControls makes control and bidi characters visible); no innerHTML,
 * no attribute or URL built from data.
 */
import { escapeControls } from '../core/safe-text.js';

/** A new element with a class and (escaped) text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text?: string | number | null): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls !== '') node.className = cls;
  if (text !== undefined && text !== null) node.textContent = escapeControls(String(text));
  return node;
}

const texts = new WeakMap<Node, string>();
const classes = new WeakMap<Element, string>();

/** Set a node's text (escaped) only when it changed: no DOM write, no layout for an unchanged cell. */
export function setText(node: HTMLElement, text: string | number | null | undefined): void {
  const t = text === null || text === undefined ? '' : escapeControls(String(text));
  if (texts.get(node) === t) return;
  texts.set(node, t);
  node.textContent = t;
}

/** Set text that is already safe (the dashboard's column text went through safeText): not escaped twice. */
export function setSafeText(node: HTMLElement, text: string): void {
  if (texts.get(node) === text) return;
  texts.set(node, text);
  node.textContent = text;
}

/** Set a node's class only when it changed. */
export function setClass(node: Element, cls: string): void {
  if (classes.get(node) === cls) return;
  classes.set(node, cls);
  node.className = cls;
}

/** Remove every child. */
export function clear(node: Node): void {
  while (node.firstChild !== null) node.removeChild(node.firstChild);
}

/** A definition list of label/value pairs (both escaped). */
export function definitionList(pairs: ReadonlyArray<readonly [string, string]>): HTMLDListElement {
  const dl = el('dl');
  for (const [k, v] of pairs) {
    dl.appendChild(el('dt', '', k));
    dl.appendChild(el('dd', '', v));
  }
  return dl;
}
