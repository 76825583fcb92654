// The PromQL expression editor: CodeMirror 6 with a stream highlighter and
// completion of functions, keywords, metric names, label names and values
// from the API (cached per page load).
import { autocompletion, closeBrackets, Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, StreamLanguage, StringStream, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { api } from './api';

const FUNCTIONS = (
  'abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp clamp_max clamp_min ' +
  'cos cosh count_over_time days_in_month day_of_month day_of_week day_of_year deg delta deriv exp floor ' +
  'histogram_quantile holt_winters hour idelta increase irate label_join label_replace last_over_time ln log10 log2 ' +
  'max_over_time min_over_time minute month pi predict_linear present_over_time quantile_over_time rad rate resets ' +
  'round scalar sgn sin sinh sort sort_desc sqrt stddev_over_time stdvar_over_time sum_over_time tan tanh time timestamp vector year'
).split(' ');
const AGGREGATIONS = 'sum min max avg group stddev stdvar count count_values bottomk topk quantile'.split(' ');
const KEYWORDS = 'by without on ignoring group_left group_right bool offset and or unless'.split(' ');
const KEYWORD_SET = new Set([...KEYWORDS, ...AGGREGATIONS]);
const FUNCTION_SET = new Set(FUNCTIONS);

interface PromState {
  inBraces: boolean;
}

const promqlLanguage = StreamLanguage.define<PromState>({
  name: 'promql',
  startState: () => ({ inBraces: false }),
  token(stream: StringStream, state: PromState): string | null {
    if (stream.eatSpace()) return null;
    if (stream.match(/^#.*/)) return 'comment';
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/) || stream.match(/^`[^`]*`?/)) {
      return 'string';
    }
    if (stream.match(/^\[[^\]]*\]/)) return 'number';
    if (stream.match(/^(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+|Inf|NaN)(?![\w:])/i)) {
      return 'number';
    }
    if (stream.eat('{')) {
      state.inBraces = true;
      return 'brace';
    }
    if (stream.eat('}')) {
      state.inBraces = false;
      return 'brace';
    }
    if (stream.match(/^(?:=~|!~|!=|==|<=|>=|[-+*/%^=<>])/)) return 'operator';
    const word = stream.match(/^[a-zA-Z_:][\w:]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (state.inBraces) return 'propertyName';
      if (KEYWORD_SET.has(w.toLowerCase())) return 'keyword';
      if (FUNCTION_SET.has(w) && stream.match(/^\s*\(/, false)) return 'function';
      return 'variableName';
    }
    stream.next();
    return null;
  },
  tokenTable: { function: tags.function(tags.variableName) },
});

const highlight = HighlightStyle.define([
  { tag: tags.keyword, class: 'tok-keyword' },
  { tag: tags.string, class: 'tok-string' },
  { tag: tags.number, class: 'tok-number' },
  { tag: tags.operator, class: 'tok-operator' },
  { tag: tags.propertyName, class: 'tok-label' },
  { tag: tags.function(tags.variableName), class: 'tok-function' },
  { tag: tags.variableName, class: 'tok-metric' },
  { tag: tags.comment, class: 'tok-comment' },
]);

// API answers cached for the page's lifetime.
const cache = new Map<string, Promise<string[]>>();
function cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
  let hit = cache.get(key);
  if (!hit) {
    hit = load().catch(() => {
      cache.delete(key);
      return [];
    });
    cache.set(key, hit);
  }
  return hit;
}

export const metricNames = () => cached('__name__', () => api<string[]>('label/__name__/values'));
const labelNames = (metric: string) =>
  cached('labels:' + metric, () => api<string[]>('labels', metric ? { 'match[]': metric } : {}));
const labelValues = (name: string, metric: string) =>
  cached(`values:${name}:${metric}`, () =>
    api<string[]>(`label/${encodeURIComponent(name)}/values`, metric ? { 'match[]': metric } : {}),
  );

// What the cursor is in: a label name or value inside {...}, or an
// identifier outside.
async function complete(context: CompletionContext): Promise<CompletionResult | null> {
  const before = context.state.sliceDoc(0, context.pos);
  const open = before.lastIndexOf('{');
  const inBraces = open > before.lastIndexOf('}');
  if (inBraces) {
    const metric = (before.slice(0, open).match(/([a-zA-Z_:][\w:]*)\s*$/) ?? [])[1] ?? '';
    const value = before.match(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"([^"]*)$/);
    if (value) {
      const values = await labelValues(value[1], metric);
      return {
        from: context.pos - value[3].length,
        options: values.map((v) => ({ label: v, type: 'text', apply: v })),
        validFor: /^[^"]*$/,
      };
    }
    const name = context.matchBefore(/[a-zA-Z_]\w*/);
    const afterComma = /[{,]\s*$/.test(before);
    if (!name && !afterComma && !context.explicit) return null;
    const names = await labelNames(metric);
    return {
      from: name ? name.from : context.pos,
      options: names.filter((n) => n !== '__name__').map((n) => ({ label: n, type: 'property' })),
      validFor: /^\w*$/,
    };
  }
  const word = context.matchBefore(/[a-zA-Z_:][\w:]*/);
  if (!word && !context.explicit) return null;
  const metrics = await metricNames();
  const options: Completion[] = [
    ...metrics.map((m) => ({ label: m, type: 'variable', boost: 1 })),
    ...FUNCTIONS.map((f) => ({ label: f, type: 'function', apply: f + '(' })),
    ...AGGREGATIONS.map((a) => ({ label: a, type: 'keyword' })),
    ...KEYWORDS.map((k) => ({ label: k, type: 'keyword' })),
  ];
  return { from: word ? word.from : context.pos, options, validFor: /^[\w:]*$/ };
}

export interface ExprEditor {
  view: EditorView;
  value(): string;
  setValue(text: string): void;
  focusAt(offset: number): void;
}

// An editor in `parent`; Enter runs `onRun` (Shift+Enter adds a line).
export function createEditor(parent: HTMLElement, initial: string, labelId: string, onRun: () => void): ExprEditor {
  const runKey = keymap.of([
    { key: 'Enter', run: () => (onRun(), true) },
    { key: 'Shift-Enter', run: () => false },
  ]);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        history(),
        closeBrackets(),
        autocompletion({ override: [complete], activateOnTyping: true, maxRenderedOptions: 200 }),
        runKey,
        keymap.of([...defaultKeymap, ...historyKeymap]),
        promqlLanguage,
        syntaxHighlighting(highlight),
        placeholder('Expression (press Enter to run, Ctrl+Space to complete)'),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-labelledby': labelId, 'aria-multiline': 'true' }),
      ],
    }),
  });
  return {
    view,
    value: () => view.state.doc.toString(),
    setValue(text: string) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focusAt(offset: number) {
      const pos = Math.max(0, Math.min(offset, view.state.doc.length));
      view.dispatch({ selection: { anchor: pos } });
      view.focus();
    },
  };
}
