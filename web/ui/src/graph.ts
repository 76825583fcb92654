// The range view: a uPlot chart of a matrix result with a legend whose
// entries toggle their series (click; Ctrl/Cmd+click shows only that one).
import uPlot from 'uplot';
import { formatLabels, MatrixResult } from './api';
import { h } from './dom';

// Distinct, readable on dark and light backgrounds.
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const LEGEND_LIMIT = 500;

// A theme colour for the canvas, which does not resolve CSS variables.
function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export interface GraphResult {
  element: HTMLElement;
  destroy(): void;
}

// Values of every series at the shared step timestamps (null where absent).
function align(data: MatrixResult, startS: number, endS: number, stepS: number): { xs: number[]; ys: (number | null)[][] } {
  const xs: number[] = [];
  for (let t = startS; t <= endS + 1e-9; t += stepS) xs.push(Math.round(t * 1000) / 1000);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = data.result.map((series) => {
    const row: (number | null)[] = new Array(xs.length).fill(null);
    for (const [t, v] of series.values) {
      const i = index.get(Math.round(t * 1000) / 1000);
      const n = Number(v);
      if (i !== undefined && Number.isFinite(n)) row[i] = n;
    }
    return row;
  });
  return { xs, ys };
}

// Cumulative sums for the stacked view (a missing value adds nothing).
function stack(ys: (number | null)[][]): (number | null)[][] {
  const sums: number[] = ys.length > 0 ? new Array(ys[0].length).fill(0) : [];
  return ys.map((row) =>
    row.map((v, i) => {
      if (v === null) return null;
      sums[i] += v;
      return sums[i];
    }),
  );
}

export function drawGraph(
  data: MatrixResult,
  range: { startS: number; endS: number; stepS: number },
  stacked: boolean,
  width: number,
): GraphResult {
  const { xs, ys } = align(data, range.startS, range.endS, range.stepS);
  const shown = stacked ? stack(ys) : ys;
  const names = data.result.map((s) => formatLabels(s.metric));
  const chart = h('div', { class: 'chart', 'data-series-count': String(data.result.length) });
  const opts: uPlot.Options = {
    width: Math.max(300, width),
    height: 360,
    legend: { show: false },
    cursor: { focus: { prox: 16 } },
    scales: { x: { time: true } },
    axes: [
      { stroke: cssVar('--fg-muted'), grid: { stroke: cssVar('--grid') }, ticks: { stroke: cssVar('--grid') } },
      { stroke: cssVar('--fg-muted'), grid: { stroke: cssVar('--grid') }, ticks: { stroke: cssVar('--grid') }, size: 70 },
    ],
    series: [
      {},
      ...names.map((label, i) => ({
        label,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.25,
        // Stacked: the first series fills down to zero, the others down to
        // the one below (the bands).
        fill: stacked && i === 0 ? PALETTE[0] + '55' : undefined,
        spanGaps: false,
        points: { show: false },
      })),
    ],
  };
  if (stacked) {
    opts.bands = names.slice(1).map((_, i) => ({
      series: [i + 2, i + 1] as [number, number],
      fill: PALETTE[(i + 1) % PALETTE.length] + '55',
    }));
  }
  const plot = new uPlot(opts, [xs, ...shown] as uPlot.AlignedData, chart);
  chart.dataset.drawnSeries = String(plot.series.length - 1);

  const legend = h('ul', { class: 'legend', 'aria-label': 'Series (click to toggle)' });
  names.slice(0, LEGEND_LIMIT).forEach((name, i) => {
    const item = h(
      'button',
      { type: 'button', class: 'legend-item', 'aria-pressed': 'true', title: 'Click: toggle; Ctrl+click: only this one' },
      h('span', { class: 'swatch', style: `background:${PALETTE[i % PALETTE.length]}` }),
      name,
    );
    item.addEventListener('click', (ev) => {
      const only = ev.ctrlKey || ev.metaKey;
      plot.batch(() => {
        if (only) {
          names.forEach((_, j) => plot.setSeries(j + 1, { show: j === i }));
        } else {
          plot.setSeries(i + 1, { show: !plot.series[i + 1].show });
        }
      });
      legend.querySelectorAll('button').forEach((b, j) => b.setAttribute('aria-pressed', String(plot.series[j + 1].show)));
    });
    legend.append(h('li', {}, item));
  });
  if (names.length > LEGEND_LIMIT) {
    legend.append(h('li', { class: 'muted' }, `… and ${names.length - LEGEND_LIMIT} more series`));
  }
  const element = h('div', { class: 'graph' }, chart, legend);
  return { element, destroy: () => plot.destroy() };
}
