// The app's entry: picks the page from the last path segment (every page is
// one segment under the UI root), marks the navigation, wires the theme.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { renderCardinalityPage } from './cardinality';
import { renderQueryPage } from './query_page';
import { renderAlerts, renderFlags, renderRules, renderStatus, renderTsdbStatus } from './status_pages';

const PAGES: Record<string, (root: HTMLElement) => unknown> = {
  graph: renderQueryPage,
  cardinality: renderCardinalityPage,
  alerts: renderAlerts,
  rules: renderRules,
  'tsdb-status': renderTsdbStatus,
  flags: renderFlags,
  status: renderStatus,
};

function setupTheme(): void {
  const button = document.getElementById('theme-toggle')!;
  const root = document.documentElement;
  const sync = () => button.setAttribute('aria-pressed', String(root.dataset.theme === 'dark'));
  button.addEventListener('click', () => {
    root.dataset.theme = root.dataset.theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem('strata.theme', root.dataset.theme);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    sync();
    // Charts read the theme's colours when drawn.
    if (page === 'graph') document.querySelectorAll<HTMLButtonElement>('.run').forEach((b) => b.click());
  });
  sync();
}

const page = location.pathname.split('/').pop() || 'graph';

function start(): void {
  setupTheme();
  document.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) => {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
  });
  const root = document.getElementById('app')!;
  const render = PAGES[page] ?? renderQueryPage;
  document.title = `Strata · ${document.querySelector('nav a[aria-current]')?.textContent ?? 'Query'}`;
  render(root);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
