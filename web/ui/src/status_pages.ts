// The status pages: TSDB (head, blocks, storage metrics), rules, alerts,
// flags, build and runtime information, WAL replay progress at startup.
import { api, formatLabels, Labels, metricsText } from './api';
import { errorBox, formatTime, h, table, uniqueId } from './dom';

async function guarded(root: HTMLElement, title: string, body: () => Promise<(Node | string)[]>): Promise<void> {
  root.replaceChildren(h('h1', {}, title), h('p', { class: 'muted' }, 'Loading…'));
  try {
    root.replaceChildren(h('h1', {}, title), ...(await body()));
  } catch (e) {
    root.replaceChildren(h('h1', {}, title), errorBox((e as Error).message));
  }
}

function keyValues(data: Record<string, unknown>, id: string): HTMLElement {
  return table(['Name', 'Value'], Object.entries(data).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]), { class: 'data', id });
}

// "683574" -> "667.6 KiB".
function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

// The samples of a text exposition: `name{labels}` -> value (histogram
// buckets left out).
function parseMetrics(text: string, prefix: RegExp): [string, number][] {
  return text
    .split('\n')
    .filter((l) => prefix.test(l) && !l.includes('_bucket{'))
    .map((l) => {
      const i = l.lastIndexOf(' ');
      return [l.slice(0, i), Number(l.slice(i + 1))];
    });
}

// One entry of /api/v1/status/blocks (Strata's: meta.json plus size).
interface BlockInfo {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number; numTombstones: number };
  compaction: { level: number; sources: string[] };
  sizeBytes: number;
}

function blocksTable(blocks: BlockInfo[]): HTMLElement {
  const rows = blocks.map((b) => [
    h('code', {}, b.ulid),
    `${formatTime(b.minTime)}`,
    `${formatTime(b.maxTime)}`,
    String(b.stats.numSeries),
    String(b.stats.numSamples),
    String(b.stats.numChunks),
    String(b.stats.numTombstones),
    String(b.compaction.level),
    b.compaction.sources.length === 1 && b.compaction.sources[0] === b.ulid ? 'itself' : b.compaction.sources.join(', '),
    humanBytes(b.sizeBytes),
  ]);
  return h('section', { class: 'card' },
    h('h2', {}, `Blocks (${blocks.length}, /api/v1/status/blocks)`),
    blocks.length
      ? table(['ULID', 'Min time (UTC)', 'Max time (UTC, exclusive)', 'Series', 'Samples', 'Chunks', 'Tombstones', 'Level', 'Sources', 'Size'], rows, { class: 'data', id: 'blocks' })
      : h('p', { class: 'muted', id: 'blocks' }, 'No persisted blocks yet.'));
}

export function renderTsdbStatus(root: HTMLElement): Promise<void> {
  return guarded(root, 'TSDB status', async () => {
    const [status, blocks, metrics] = await Promise.all([
      api<{ headStats: Record<string, number>; [k: string]: unknown }>('status/tsdb'),
      api<BlockInfo[]>('status/blocks'),
      metricsText(),
    ]);
    const head = { ...status.headStats } as Record<string, unknown>;
    for (const k of ['minTime', 'maxTime']) {
      const v = Number(head[k]);
      head[k] = status.headStats.numSeries > 0 ? `${formatTime(v)} UTC (${v})` : '–';
    }
    const storage = parseMetrics(metrics, /^strata_(tsdb|wal|head|block|compaction|storage|retention)\w*/);
    const value = new Map(storage);
    const get = (name: string) => value.get(name) ?? 0;
    const summary: [string, string][] = [
      ['Blocks loaded', String(get('strata_blocks_loaded'))],
      ['Blocks on disk', humanBytes(get('strata_storage_disk_bytes{dir="blocks"}'))],
      ['WAL on disk', humanBytes(get('strata_storage_disk_bytes{dir="wal"}'))],
      ['Head chunks on disk', humanBytes(get('strata_storage_disk_bytes{dir="chunks_head"}'))],
      ['WAL segments created', String(get('strata_wal_segments_created_total'))],
      ['WAL replay at start', `${get('strata_wal_replay_duration_seconds').toFixed(3)} s`],
      ['Compactions (failed)', `${get('strata_compactions_total')} (${get('strata_compactions_failed_total')})`],
      ['Free space', humanBytes(get('strata_storage_free_bytes'))],
    ];
    const lists = (['seriesCountByMetricName', 'labelValueCountByLabelName', 'memoryInBytesByLabelName', 'seriesCountByLabelValuePair'] as const).map((key) => {
      const stats = (status[key] as { name: string; value: number }[]) ?? [];
      return h('section', { class: 'card' }, h('h2', {}, key), stats.length ? table(['Name', 'Count'], stats.map((s) => [s.name, String(s.value)]), { class: 'data' }) : h('p', { class: 'muted' }, 'Empty head.'));
    });
    return [
      h('div', { class: 'grid' },
        h('section', { class: 'card' }, h('h2', {}, 'Head'), keyValues(head, 'head')),
        h('section', { class: 'card' }, h('h2', {}, 'Storage: blocks, WAL, compaction'), table(['Name', 'Value'], summary, { class: 'data', id: 'storage' })),
      ),
      blocksTable(blocks),
      h('div', { class: 'grid' }, ...lists),
      h('details', { class: 'card' },
        h('summary', {}, `Every storage metric of /metrics (${storage.length})`),
        table(['Metric', 'Value'], storage.map(([k, v]) => [k, String(v)]), { class: 'data', id: 'storage-metrics' })),
    ];
  });
}

interface Rule {
  name: string;
  query: string;
  health: string;
  lastError?: string;
  type: string;
  state?: string;
  evaluationTime: number;
  lastEvaluation: string;
  alerts?: { labels: Labels; state: string; activeAt?: string; value: string }[];
}
interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  rules: Rule[];
  evaluationTime: number;
  lastEvaluation: string;
}

export function renderRules(root: HTMLElement): Promise<void> {
  return guarded(root, 'Rules', async () => {
    const data = await api<{ groups: RuleGroup[] }>('rules');
    if (data.groups.length === 0) return [h('p', { class: 'muted' }, 'No rule groups (see --config.file: rule_files).')];
    return data.groups.map((g) =>
      h('section', { class: 'card' },
        h('h2', {}, `${g.name} `, h('span', { class: 'muted' }, `${g.file} · every ${g.interval}s · last ${g.lastEvaluation} · ${(g.evaluationTime * 1000).toFixed(1)} ms`)),
        table(['Rule', 'Query', 'Health', 'Last error', 'Evaluation'], g.rules.map((r) => [
          `${r.type === 'alerting' ? 'alert' : 'record'}: ${r.name}`,
          h('code', {}, r.query),
          h('span', { class: `badge ${r.health}` }, r.health),
          r.lastError ?? '',
          `${(r.evaluationTime * 1000).toFixed(2)} ms`,
        ]), { class: 'data' })));
  });
}

export function renderAlerts(root: HTMLElement): Promise<void> {
  return guarded(root, 'Alerts', async () => {
    const data = await api<{ groups: RuleGroup[] }>('rules', { type: 'alert' });
    const rules = data.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting'));
    if (rules.length === 0) return [h('p', { class: 'muted' }, 'No alerting rules.')];
    return rules.map((r) => {
      const id = uniqueId('alert');
      return h('details', { class: `card alert ${r.state ?? ''}`, open: r.state !== 'inactive' },
        h('summary', { id }, `${r.name} `, h('span', { class: `badge ${r.state}` }, `${r.state} (${r.alerts?.length ?? 0})`)),
        h('pre', {}, r.query),
        r.alerts && r.alerts.length
          ? table(['Labels', 'State', 'Active since', 'Value'], r.alerts.map((a) => [formatLabels(a.labels), a.state, a.activeAt ?? '', a.value]), { class: 'data' })
          : h('p', { class: 'muted' }, 'No active alerts.'));
    });
  });
}

export function renderFlags(root: HTMLElement): Promise<void> {
  return guarded(root, 'Command-line flags', async () => {
    const flags = await api<Record<string, string>>('status/flags');
    const filterId = uniqueId('filter');
    const filter = h('input', { id: filterId, type: 'search', placeholder: 'Filter', size: 30 });
    const tbl = keyValues(flags, 'flags');
    filter.addEventListener('input', () => {
      const f = filter.value.toLowerCase();
      tbl.querySelectorAll('tbody tr').forEach((tr) => {
        (tr as HTMLElement).hidden = !tr.textContent!.toLowerCase().includes(f);
      });
    });
    return [h('div', { class: 'toolbar' }, h('label', { for: filterId }, 'Filter flags'), filter), tbl];
  });
}

interface WalReplay {
  min: number;
  max: number;
  current: number;
}

// While the server starts (/-/ready answers 503), shows the WAL replay's
// progress from /api/v1/status/walreplay, as Prometheus's UI does, polling
// until the server is ready.
async function waitUntilReady(root: HTMLElement, title: string): Promise<void> {
  const poll_ms = 500;
  for (;;) {
    const ready = await fetch('./-/ready').then((r) => r.ok, () => false);
    if (ready) return;
    const replay = await api<WalReplay>('status/walreplay').catch(() => null);
    const segments = replay ? replay.max - replay.min + 1 : 0;
    const done = replay ? replay.current - replay.min + 1 : 0;
    root.replaceChildren(
      h('h1', {}, title),
      h('p', { id: 'starting' }, replay && replay.max > 0 ? `Starting up: replaying WAL segment ${replay.current} of ${replay.min}–${replay.max}.` : 'Starting up…'),
      h('progress', { id: 'wal-replay-progress', max: Math.max(segments, 1), value: Math.max(done, 0), 'aria-label': 'WAL replay progress' }),
    );
    await new Promise((resolve) => setTimeout(resolve, poll_ms));
  }
}

export async function renderStatus(root: HTMLElement): Promise<void> {
  await waitUntilReady(root, 'Status');
  return guarded(root, 'Status', async () => {
    const [build, runtime, replay] = await Promise.all([
      api<Record<string, unknown>>('status/buildinfo'),
      api<Record<string, unknown>>('status/runtimeinfo'),
      api<WalReplay>('status/walreplay'),
    ]);
    return [
      h('h2', {}, 'Runtime information'), keyValues(runtime, 'runtime'),
      h('h2', {}, 'WAL replay at startup (segments)'), keyValues({ ...replay }, 'walreplay'),
      h('h2', {}, 'Build information'), keyValues(build, 'build'),
    ];
  });
}
