/**
 * Building DOM without HTML strings: text only ever goes in through textContent, so
 * nothing a participant types can become markup. (innerHTML is not used anywhere in
 * the UI; the CSP would stop inline script anyway, this stops markup injection too.)
 */
type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  /** Plain attributes (aria-*, data-*, type, …). `style` is refused: the CSP forbids inline styles. */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.attrs) setAttrs(el, props.attrs);
  if (props.on) {
    for (const [name, handler] of Object.entries(props.on)) el.addEventListener(name, handler as EventListener);
  }
  append(el, ...children);
  return el;
}

export function setAttrs(el: Element, attrs: Record<string, string | number | boolean | null | undefined>): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style') throw new TypeError('inline style attributes are not allowed');
    if (value === null || value === undefined || value === false) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** Copies text; falls back to selecting it when the clipboard API is unavailable (plain http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
