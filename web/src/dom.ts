/**
 * The only way this client builds DOM. Text always goes in as text nodes (`textContent`
 * semantics), never as markup: no HTML-string sink (markup assignment, adjacent insertion,
 * document writing) appears anywhere in web/ (test/web/no-html-sinks.test.ts and the build both check), and the page's
 * Trusted Types policy makes such a sink throw if one ever slipped in.
 */
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

/**
 * Attributes that would turn data into code or style: event handlers (`on*`), inline style
 * (refused by the CSP anyway) and anything that takes a URL. Refusing them here makes a
 * mistake loud in development instead of quietly becoming an injection point.
 */
const FORBIDDEN_ATTR = /^(on|style$|src(doc)?$|href$|action$|formaction$|xlink:href$)/i;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, ...children);
  return el;
}

export function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    // The one URL we ever set is an in-page fragment (the skip link).
    const inPageLink = name === 'href' && typeof value === 'string' && /^#[A-Za-z][\w-]*$/.test(value);
    if (FORBIDDEN_ATTR.test(name) && !inPageLink) throw new Error(`refusing attribute ${name}`);
    if (value === false || value === null || value === undefined) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Sets an element's text (replacing its children) only when it changed: avoids needless layout. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
