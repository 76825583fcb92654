// The Prometheus HTTP API, through URLs relative to the page, so the UI
// works under any --web.external-url path (every page is one segment deep).

export interface ApiError {
  errorType: string;
  error: string;
  status: number;
}

export class ApiFailure extends Error {
  constructor(
    public readonly detail: ApiError,
  ) {
    super(detail.error);
  }
}

export interface Labels {
  [name: string]: string;
}

export interface QueryStats {
  timings?: { execTotalTime?: number };
  samples?: { totalQueryableSamples?: number };
}

export type Sample = [number, string];

export interface VectorResult {
  resultType: 'vector';
  result: { metric: Labels; value: Sample }[];
  stats?: QueryStats;
}
export interface MatrixResult {
  resultType: 'matrix';
  result: { metric: Labels; values: Sample[] }[];
  stats?: QueryStats;
}
export interface ScalarResult {
  resultType: 'scalar' | 'string';
  result: Sample;
  stats?: QueryStats;
}
export type QueryData = VectorResult | MatrixResult | ScalarResult;

function encode(params: Record<string, string | string[] | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(v));
    }
  }
  return parts.join('&');
}

// The `data` of an API answer, or ApiFailure with its error.
async function decode<T>(response: Response): Promise<T> {
  let body: { status?: string; data?: T; errorType?: string; error?: string } = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON: a proxy's error page, say.
  }
  if (body.status !== 'success') {
    throw new ApiFailure({
      errorType: body.errorType ?? 'http',
      error: body.error ?? `HTTP ${response.status} ${response.statusText}`,
      status: response.status,
    });
  }
  return body.data as T;
}

// GETs ./api/v1/<path> and returns `data`, or throws ApiFailure.
export async function api<T>(
  path: string,
  params: Record<string, string | string[] | undefined> = {},
  signal?: AbortSignal,
): Promise<T> {
  const query = encode(params);
  const response = await fetch('./api/v1/' + path + (query ? '?' + query : ''), {
    signal,
    headers: { Accept: 'application/json' },
  });
  return decode<T>(response);
}

// POSTs a PromQL query as a form (long expressions fit).
export async function query(
  path: 'query' | 'query_range',
  params: Record<string, string>,
  signal?: AbortSignal,
): Promise<QueryData> {
  const response = await fetch('./api/v1/' + path, {
    method: 'POST',
    signal,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: encode(params),
  });
  return decode<QueryData>(response);
}

// The text of ./metrics (for the storage figures on the TSDB page).
export async function metricsText(): Promise<string> {
  const response = await fetch('./metrics');
  return response.text();
}

export function formatLabels(labels: Labels): string {
  const name = labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return name + (rest.length > 0 || name === '' ? '{' + rest.join(', ') + '}' : '');
}
