// The cardinality explorer, from ONE request to /api/v1/status/tsdb: the
// head's figures (Prometheus's fields) and, through Strata's match[],
// start and end parameters, the same figures over the series matching a
// selector in any time range (blocks included), counted by the server.
// Clicking a metric drills down to its series. State in the URL: match,
// range_input, end_input.
import { api } from './api';
import { errorBox, formatTime, h, parseDuration, parseTime, table, uniqueId } from './dom';

interface Stat {
  name: string;
  value: number;
}
interface StatLists {
  seriesCountByMetricName: Stat[];
  labelValueCountByLabelName: Stat[];
  memoryInBytesByLabelName: Stat[];
  seriesCountByLabelValuePair: Stat[];
}
interface Selection extends StatLists {
  numSeries: number;
  numLabelPairs: number;
  numMetricNames: number;
  labelValueBytes: number;
}
interface TsdbStatus extends StatLists {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  selection?: Selection;
}

const TOP = 10;
const DEFAULT_MATCH = '{__name__=~".+"}';

// A bar-annotated top list; `onPick` makes the names drill-down links.
function statTable(title: string, stats: Stat[], total: number, id: string, onPick?: (name: string) => void): HTMLElement {
  const rows = stats.map((s) => {
    const share = total > 0 ? (100 * s.value) / total : 0;
    const name = onPick ? h('button', { type: 'button', class: 'link', onclick: () => onPick(s.name) }, s.name) : s.name;
    return [name, h('span', { class: 'count' }, String(s.value)), h('span', { class: 'bar', style: `--share:${share.toFixed(1)}%` }, share.toFixed(1) + '%')];
  });
  return h('section', { class: 'card' }, h('h2', {}, title), stats.length ? table(['Name', 'Count', 'Share'], rows, { class: 'data', id }) : h('p', { class: 'muted' }, 'None'));
}

function renderHead(into: HTMLElement, s: TsdbStatus): void {
  const head = s.headStats;
  const span = head.numSeries > 0 ? `${formatTime(head.minTime)} to ${formatTime(head.maxTime)} UTC` : 'empty';
  const memTotal = s.memoryInBytesByLabelName.reduce((a, b) => a + b.value, 0);
  into.replaceChildren(
    h('h2', {}, 'Head block (/api/v1/status/tsdb)'),
    table(['Series', 'Label pairs', 'Chunks', 'Time range', 'Label bytes per series'], [[
      String(head.numSeries), String(head.numLabelPairs), String(head.chunkCount), span,
      head.numSeries > 0 ? (memTotal / head.numSeries).toFixed(1) : '–',
    ]], { class: 'data', id: 'head-stats' }),
    h('div', { class: 'grid' },
      statTable('Head: series by metric', s.seriesCountByMetricName, head.numSeries, 'head-metrics'),
      statTable('Head: label value bytes by label name', s.memoryInBytesByLabelName, memTotal, 'head-memory'),
    ),
  );
}

export function renderCardinalityPage(root: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  const matchId = uniqueId('match');
  const rangeId = uniqueId('range');
  const endId = uniqueId('end');
  const match = h('input', { id: matchId, type: 'text', value: params.get('match') ?? DEFAULT_MATCH, size: 40, spellcheck: 'false' });
  const range = h('input', { id: rangeId, type: 'text', value: params.get('range_input') ?? '1h', size: 6 });
  const end = h('input', { id: endId, type: 'text', value: params.get('end_input') ?? '', placeholder: 'now (UTC)', size: 20 });
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const head = h('div', { class: 'head-status' });

  const explore = async () => {
    const p = new URLSearchParams({ match: match.value, range_input: range.value });
    if (end.value) p.set('end_input', end.value);
    history.replaceState(null, '', '?' + p.toString());
    const rangeS = parseDuration(range.value);
    const endMs = end.value ? parseTime(end.value) : Date.now();
    if (rangeS === null || endMs === null) {
      results.replaceChildren(errorBox('invalid range or end time'));
      return;
    }
    results.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    const started = performance.now();
    try {
      const status = await api<TsdbStatus>('status/tsdb', {
        'match[]': match.value,
        start: String(endMs / 1000 - rangeS),
        end: String(endMs / 1000),
        limit: String(TOP),
      });
      const sel = status.selection!;
      const drill = (metric: string) => {
        match.value = `{__name__=${JSON.stringify(metric)}}`;
        explore();
      };
      results.replaceChildren(
        h('p', { class: 'summary' },
          h('strong', { id: 'total-series' }, String(sel.numSeries)), ` series match ${match.value} between ${formatTime(endMs - rangeS * 1000)} and ${formatTime(endMs)} UTC; `,
          `${sel.numMetricNames} metrics, ${sel.numLabelPairs} label pairs, ${sel.numSeries ? (sel.labelValueBytes / sel.numSeries).toFixed(1) : 0} label value bytes per series (${Math.round(performance.now() - started)} ms).`),
        h('div', { class: 'grid' },
          statTable('Series by metric', sel.seriesCountByMetricName, sel.numSeries, 'top-metrics', drill),
          statTable('Distinct values by label name', sel.labelValueCountByLabelName, sel.numLabelPairs, 'top-label-names'),
          statTable('Series by label pair', sel.seriesCountByLabelValuePair, sel.numSeries, 'top-label-pairs'),
        ),
      );
      renderHead(head, status);
    } catch (e) {
      results.replaceChildren(errorBox((e as Error).message));
    }
  };

  const form = h('form', { class: 'toolbar', 'aria-label': 'Selector' },
    h('label', { for: matchId }, 'Selector'), match,
    h('label', { for: rangeId }, 'Range'), range,
    h('label', { for: endId }, 'End'), end,
    h('button', { type: 'submit', class: 'primary' }, 'Explore'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    explore();
  });
  root.replaceChildren(h('h1', {}, 'Cardinality'), form, results, head);
  explore();
}
