// Small DOM helpers: elements from a tag, attributes and children.

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

export function errorBox(message: string): HTMLElement {
  return h('div', { class: 'error', role: 'alert' }, message);
}

// A table from a header row and body rows.
export function table(head: string[], rows: (Child | Child[])[][], attrs: Record<string, string> = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  );
}

let idCounter = 0;
export function uniqueId(prefix: string): string {
  return `${prefix}-${++idCounter}`;
}

// "2026-11-25 16:27:44" (UTC) <-> milliseconds.
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

export function parseTime(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const ms = Date.parse(t.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? '' : 'Z'));
  return Number.isNaN(ms) ? null : ms;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

// A Prometheus duration ("1h30m") in seconds, or null.
export function parseDuration(text: string): number | null {
  const re = /(\d+)(ms|s|m|h|d|w|y)/g;
  const t = text.trim();
  if (!/^((\d+)(ms|s|m|h|d|w|y))+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(re)) total += Number(m[1]) * UNITS[m[2]];
  return total;
}

export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(Math.floor(rest / size) + unit);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}
