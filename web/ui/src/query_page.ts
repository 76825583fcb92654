// The query page: panels, each an expression with a table (instant query)
// and a graph (range query) tab, their state in the URL as Prometheus's
// UI keeps it (g0.expr, g0.tab=0 graph / 1 table, g0.range_input,
// g0.end_input, g0.moment_input, g0.step_input, g0.stacked).
import { ApiFailure, formatLabels, Labels, query, QueryData } from './api';
import { errorBox, formatDuration, formatTime, h, parseDuration, parseTime, uniqueId } from './dom';
import { drawGraph, GraphResult } from './graph';
import { createEditor, ExprEditor } from './promql';

interface PanelState {
  expr: string;
  tab: 0 | 1;
  range: string;
  end: string; // "" = now
  moment: string; // "" = now
  step: string; // "" = automatic
  stacked: boolean;
}

const TABLE_LIMIT = 10000;

function readPanels(params: URLSearchParams): PanelState[] {
  const panels: PanelState[] = [];
  for (let i = 0; params.has(`g${i}.expr`) || params.has(`g${i}.tab`); i++) {
    const get = (k: string) => params.get(`g${i}.${k}`) ?? '';
    panels.push({
      expr: get('expr'),
      tab: get('tab') === '1' ? 1 : 0,
      range: get('range_input') || '1h',
      end: get('end_input'),
      moment: get('moment_input'),
      step: get('step_input'),
      stacked: get('stacked') === '1',
    });
  }
  if (panels.length === 0) panels.push({ expr: '', tab: 1, range: '1h', end: '', moment: '', step: '', stacked: false });
  return panels;
}

function writePanels(panels: PanelState[]): void {
  const params = new URLSearchParams();
  panels.forEach((p, i) => {
    params.set(`g${i}.expr`, p.expr);
    params.set(`g${i}.tab`, String(p.tab));
    params.set(`g${i}.stacked`, p.stacked ? '1' : '0');
    params.set(`g${i}.range_input`, p.range);
    if (p.end) params.set(`g${i}.end_input`, p.end);
    if (p.moment) params.set(`g${i}.moment_input`, p.moment);
    if (p.step) params.set(`g${i}.step_input`, p.step);
  });
  history.replaceState(null, '', '?' + params.toString());
}

// "1:7: parse error: ..." -> the offset of line 1, column 7 in `expr`.
function errorOffset(message: string, expr: string): number | null {
  const m = message.match(/(?:^|\s)(\d+):(\d+):/);
  if (!m) return null;
  const lines = expr.split('\n');
  const line = Number(m[1]) - 1;
  if (line < 0 || line >= lines.length) return null;
  let offset = 0;
  for (let i = 0; i < line; i++) offset += lines[i].length + 1;
  return offset + Number(m[2]) - 1;
}

class Panel {
  readonly element: HTMLElement;
  private editor!: ExprEditor;
  private result: HTMLElement;
  private stats: HTMLElement;
  private graph: GraphResult | null = null;
  private abort: AbortController | null = null;
  private controls: Record<string, HTMLInputElement> = {};

  constructor(
    private state: PanelState,
    private readonly onChange: () => void,
    onRemove: () => void,
  ) {
    const labelId = uniqueId('expr-label');
    const editorHost = h('div', { class: 'editor' });
    this.result = h('div', { class: 'result', 'aria-live': 'polite' });
    this.stats = h('div', { class: 'stats muted' });
    const tabs = h('div', { class: 'tabs', role: 'tablist' });
    (['Table', 'Graph'] as const).forEach((name) => {
      const tab = name === 'Table' ? 1 : 0;
      const button = h('button', { type: 'button', role: 'tab', 'aria-selected': String(this.state.tab === tab), class: 'tab', 'data-tab': name.toLowerCase() }, name);
      button.addEventListener('click', () => {
        this.state.tab = tab;
        tabs.querySelectorAll('button').forEach((b) => b.setAttribute('aria-selected', String(b === button)));
        this.renderControls();
        this.run();
      });
      tabs.append(button);
    });
    this.element = h(
      'section',
      { class: 'panel' },
      h('div', { class: 'expr-row' },
        h('label', { id: labelId, class: 'visually-hidden' }, 'Expression'),
        editorHost,
        h('button', { type: 'button', class: 'primary run', onclick: () => this.run() }, 'Execute'),
        h('button', { type: 'button', class: 'ghost', 'aria-label': 'Remove panel', onclick: onRemove }, '✕'),
      ),
      tabs,
      h('div', { class: 'controls' }),
      this.stats,
      this.result,
    );
    this.editor = createEditor(editorHost, state.expr, labelId, () => this.run());
    this.renderControls();
  }

  private input(key: string, label: string, value: string, placeholder: string, size: number, onInput: (v: string) => void): HTMLElement {
    const id = uniqueId(key);
    const input = h('input', { id, type: 'text', value, placeholder, size, 'data-control': key, spellcheck: 'false' });
    input.addEventListener('change', () => {
      onInput(input.value.trim());
      this.run();
    });
    this.controls[key] = input;
    return h('span', { class: 'control' }, h('label', { for: id }, label), input);
  }

  private renderControls(): void {
    const controls = this.element.querySelector('.controls') as HTMLElement;
    controls.replaceChildren();
    this.controls = {};
    if (this.state.tab === 1) {
      controls.append(this.input('moment', 'Evaluation time', this.state.moment, 'now (UTC)', 20, (v) => (this.state.moment = v)));
      return;
    }
    const stackedId = uniqueId('stacked');
    const stacked = h('input', { id: stackedId, type: 'checkbox', checked: this.state.stacked });
    stacked.addEventListener('change', () => {
      this.state.stacked = stacked.checked;
      this.run();
    });
    controls.append(
      this.input('range', 'Range', this.state.range, '1h', 6, (v) => (this.state.range = v || '1h')),
      this.input('end', 'End', this.state.end, 'now (UTC)', 20, (v) => (this.state.end = v)),
      this.input('step', 'Resolution', this.state.step, 'auto', 6, (v) => (this.state.step = v)),
      h('span', { class: 'control' }, stacked, h('label', { for: stackedId }, 'Stacked')),
    );
  }

  get panelState(): PanelState {
    this.state.expr = this.editor.value();
    return this.state;
  }

  focus(): void {
    this.editor.view.focus();
  }

  async run(): Promise<void> {
    const expr = this.editor.value().trim();
    this.state.expr = this.editor.value();
    this.onChange();
    this.abort?.abort();
    this.graph?.destroy();
    this.graph = null;
    if (expr === '') {
      this.result.replaceChildren(h('p', { class: 'muted' }, 'No expression.'));
      this.stats.textContent = '';
      return;
    }
    const abort = new AbortController();
    this.abort = abort;
    this.result.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    const started = performance.now();
    try {
      if (this.state.tab === 1) {
        const at = this.state.moment ? parseTime(this.state.moment) : Date.now();
        if (at === null) throw new Error(`invalid evaluation time "${this.state.moment}"`);
        const data = await query('query', { query: expr, time: String(at / 1000), stats: '1' }, abort.signal);
        this.showStats(data, performance.now() - started);
        this.result.replaceChildren(renderTable(data));
      } else {
        const rangeS = parseDuration(this.state.range);
        if (rangeS === null || rangeS <= 0) throw new Error(`invalid range "${this.state.range}"`);
        const endMs = this.state.end ? parseTime(this.state.end) : Date.now();
        if (endMs === null) throw new Error(`invalid end time "${this.state.end}"`);
        const endS = Math.floor(endMs / 1000);
        const stepS = this.state.step ? parseDuration(this.state.step) : Math.max(Math.floor(rangeS / 250), 1);
        if (stepS === null || stepS <= 0) throw new Error(`invalid resolution "${this.state.step}"`);
        const startS = endS - rangeS;
        const data = await query(
          'query_range',
          { query: expr, start: String(startS), end: String(endS), step: String(stepS), stats: '1' },
          abort.signal,
        );
        const fetched = performance.now();
        this.showStats(data, fetched - started);
        if (data.resultType !== 'matrix') throw new Error(`expected a range vector result, got ${data.resultType}`);
        this.graph = drawGraph(data, { startS, endS, stepS }, this.state.stacked, this.result.clientWidth || 800);
        // For bench/webui_figures.sh: the query (with JSON decoding) and the drawing.
        this.stats.dataset.fetchMs = String(Math.round(fetched - started));
        this.stats.dataset.drawMs = String(Math.round(performance.now() - fetched));
        this.result.replaceChildren(this.graph.element);
        this.result.append(h('p', { class: 'muted' }, `Range ${formatDuration(rangeS)} ending ${formatTime(endS * 1000)} UTC, resolution ${formatDuration(stepS)}`));
      }
    } catch (e) {
      if (abort.signal.aborted) return;
      this.showError(e, this.editor.value());
    }
  }

  private showStats(data: QueryData, elapsedMs: number): void {
    const series = Array.isArray(data.result) && data.resultType !== 'scalar' && data.resultType !== 'string' ? data.result.length : 1;
    const samples = data.stats?.samples?.totalQueryableSamples;
    const parts = [`Load time: ${Math.round(elapsedMs)} ms`, `Result series: ${series}`];
    if (samples !== undefined) parts.push(`Samples: ${samples}`);
    this.stats.textContent = parts.join(' · ');
    this.stats.dataset.series = String(series);
  }

  private showError(e: unknown, expr: string): void {
    const message = e instanceof ApiFailure ? `${e.detail.errorType}: ${e.detail.error}` : String((e as Error).message ?? e);
    const box = errorBox('');
    box.append(h('div', {}, message));
    const offset = e instanceof ApiFailure ? errorOffset(e.detail.error, expr) : null;
    if (offset !== null) {
      const lineStart = expr.lastIndexOf('\n', offset - 1) + 1;
      const lineEnd = expr.indexOf('\n', offset);
      const line = expr.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
      box.append(h('pre', { class: 'error-position' }, line + '\n' + ' '.repeat(offset - lineStart) + '^'));
      this.editor.focusAt(offset);
    }
    this.stats.textContent = '';
    this.result.replaceChildren(box);
  }
}

function renderTable(data: QueryData): HTMLElement {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return h('table', { class: 'data' }, h('tbody', {}, h('tr', {}, h('td', {}, data.resultType), h('td', { class: 'value' }, data.result[1]))));
  }
  if (data.result.length === 0) return h('p', { class: 'muted' }, 'Empty query result');
  const result = data.result as { metric: Labels; value?: [number, string]; values?: [number, string][] }[];
  const rows = result.slice(0, TABLE_LIMIT).map((series) => {
    const value =
      series.value !== undefined ? series.value[1] : (series.values ?? []).map(([t, v]) => `${v} @${t}`).join('\n');
    return h('tr', { 'data-labels': JSON.stringify(series.metric) }, h('td', { class: 'series' }, formatLabels(series.metric)), h('td', { class: 'value' }, value));
  });
  const table = h('table', { class: 'data' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Series'), h('th', { scope: 'col' }, 'Value'))), h('tbody', {}, rows));
  if (data.result.length > TABLE_LIMIT) {
    return h('div', {}, h('p', { class: 'muted' }, `Showing ${TABLE_LIMIT} of ${data.result.length} series.`), table);
  }
  return table;
}

export function renderQueryPage(root: HTMLElement): void {
  const panels: Panel[] = [];
  const list = h('div', { class: 'panels' });
  const save = () => writePanels(panels.map((p) => p.panelState));
  const add = (state: PanelState) => {
    const panel: Panel = new Panel(state, save, () => {
      panels.splice(panels.indexOf(panel), 1);
      panel.element.remove();
      save();
    });
    panels.push(panel);
    list.append(panel.element);
    return panel;
  };
  root.replaceChildren(
    h('h1', { class: 'visually-hidden' }, 'Query'),
    list,
    h('button', { type: 'button', class: 'secondary add-panel', onclick: () => add({ expr: '', tab: 1, range: '1h', end: '', moment: '', step: '', stacked: false }).focus() }, 'Add panel'),
  );
  for (const state of readPanels(new URLSearchParams(location.search))) {
    const panel = add(state);
    if (state.expr.trim() !== '') panel.run();
  }
  panels[0]?.focus();
}
