// The cardinality explorer: the head's figures from /api/v1/status/tsdb
// (series, label pairs, memory by label name) and, over any time range
// (blocks included), the series matching a selector from /api/v1/series
// counted by metric, label name and label pair. Clicking a metric drills
// down to its series. State in the URL: match, range_input, end_input.
import { api, Labels } from './api';
import { errorBox, formatTime, h, parseDuration, parseTime, table, uniqueId } from './dom';

interface Stat {
  name: string;
  value: number;
}
interface TsdbStatus {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: Stat[];
  labelValueCountByLabelName: Stat[];
  memoryInBytesByLabelName: Stat[];
  seriesCountByLabelValuePair: Stat[];
}

const TOP = 10;
const DEFAULT_MATCH = '{__name__=~".+"}';

function top(counts: Map<string, number>, n = TOP): Stat[] {
  return [...counts.entries()]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name))
    .slice(0, n);
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

// A bar-annotated top list; `onPick` makes the names drill-down links.
function statTable(title: string, stats: Stat[], total: number, id: string, onPick?: (name: string) => void): HTMLElement {
  const rows = stats.map((s) => {
    const share = total > 0 ? (100 * s.value) / total : 0;
    const name = onPick ? h('button', { type: 'button', class: 'link', onclick: () => onPick(s.name) }, s.name) : s.name;
    return [name, h('span', { class: 'count' }, String(s.value)), h('span', { class: 'bar', style: `--share:${share.toFixed(1)}%` }, share.toFixed(1) + '%')];
  });
  return h('section', { class: 'card' }, h('h2', {}, title), stats.length ? table(['Name', 'Count', 'Share'], rows, { class: 'data', id }) : h('p', { class: 'muted' }, 'None'));
}

async function renderHead(into: HTMLElement): Promise<void> {
  try {
    const s = await api<TsdbStatus>('status/tsdb');
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
  } catch (e) {
    into.replaceChildren(errorBox('status/tsdb: ' + (e as Error).message));
  }
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
      const series = await api<Labels[]>('series', {
        'match[]': match.value,
        start: String(endMs / 1000 - rangeS),
        end: String(endMs / 1000),
      });
      const byMetric = new Map<string, number>();
      const byPair = new Map<string, number>();
      const valuesByName = new Map<string, Set<string>>();
      let labelBytes = 0;
      for (const labels of series) {
        bump(byMetric, labels.__name__ ?? '');
        for (const [name, value] of Object.entries(labels)) {
          labelBytes += name.length + value.length;
          if (name === '__name__') continue;
          bump(byPair, `${name}=${value}`);
          let set = valuesByName.get(name);
          if (!set) valuesByName.set(name, (set = new Set()));
          set.add(value);
        }
      }
      const distinct = new Map([...valuesByName.entries()].map(([k, v]) => [k, v.size]));
      const drill = (metric: string) => {
        match.value = `{__name__=${JSON.stringify(metric)}}`;
        explore();
      };
      results.replaceChildren(
        h('p', { class: 'summary' },
          h('strong', { id: 'total-series' }, String(series.length)), ` series match ${match.value} between ${formatTime(endMs - rangeS * 1000)} and ${formatTime(endMs)} UTC; `,
          `${byMetric.size} metrics, ${byPair.size} label pairs, ${series.length ? (labelBytes / series.length).toFixed(1) : 0} label bytes per series (${Math.round(performance.now() - started)} ms).`),
        h('div', { class: 'grid' },
          statTable('Series by metric', top(byMetric), series.length, 'top-metrics', drill),
          statTable('Distinct values by label name', top(distinct), byPair.size, 'top-label-names'),
          statTable('Series by label pair', top(byPair), series.length, 'top-label-pairs'),
        ),
      );
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
  renderHead(head);
}
