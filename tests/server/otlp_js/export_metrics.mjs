// Exports OpenTelemetry metrics to an OTLP/HTTP endpoint with the real
// OpenTelemetry JS SDK (@opentelemetry/sdk-metrics and its OTLP/HTTP
// exporters: protobuf by default, JSON with `json`), for
// tests/server/otlp_js_e2e_test.cc.
//
//   node export_metrics.mjs <url> <scenario> [gzip|none] [proto|json]
//
// Scenarios (the test checks what strata-server stored from each):
//   basic        a counter, an up-down counter, two observable gauges and a
//                histogram; exported, then the counter grows and all is
//                exported again;
//   exponential  an exponential histogram and a counter in one export;
//   delta        a counter, a histogram and an up-down counter with delta
//                temporality preferred (the up-down counter stays
//                cumulative, as the SDK's delta selector keeps it).
// Prints one JSON line per export: {"export": n, "code": 0|1, "error": ...}
// (code 0 is success); exits 1 only if the SDK itself fails.
import {
  ExplicitBucketHistogramAggregation,
  ExponentialHistogramAggregation,
  MeterProvider,
  MetricReader,
  View,
} from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { Resource } from '@opentelemetry/resources';

const [url, scenario, compression, protocol] = process.argv.slice(2);

// A reader collecting on demand, so every export is explicit.
class ManualReader extends MetricReader {
  constructor(temporalitySelector) {
    super({ aggregationTemporalitySelector: temporalitySelector });
  }
  async onForceFlush() {}
  async onShutdown() {}
}

const temporalityPreference = scenario === 'delta' ? 0 : 1;  // DELTA : CUMULATIVE
const Exporter =
    protocol === 'json' ? OTLPJsonMetricExporter : OTLPProtoMetricExporter;
const exporter = new Exporter({
  url,
  compression: compression === 'gzip' ? 'gzip' : 'none',
  temporalityPreference,
});
// The exporter's selector decides the temporality, as a periodic reader
// built on it would.
const reader = new ManualReader(
    (type) => exporter.selectAggregationTemporality(type));

const provider = new MeterProvider({
  resource: new Resource({
    'service.name': 'checkout',
    'service.namespace': 'shop',
    'service.instance.id': 'checkout-1',
    'deployment.environment': 'test',
    'host.name': 'box-1',
  }),
  views: [
    new View({
      instrumentName: 'http.server.duration',
      aggregation: new ExplicitBucketHistogramAggregation([0.1, 0.5, 1]),
    }),
    new View({
      instrumentName: 'payload.size',
      aggregation: new ExponentialHistogramAggregation(),
    }),
  ],
  readers: [reader],
});
const meter = provider.getMeter('strata-test', '1.0.0');

let exports = 0;
async function exportOnce() {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error(`collect: ${errors.join(', ')}`);
  const result = await new Promise((resolve) =>
    exporter.export(resourceMetrics, resolve));
  exports += 1;
  console.log(JSON.stringify({
    export: exports,
    code: result.code,
    error: result.error ? String(result.error.message ?? result.error) : null,
  }));
}

async function basic() {
  const requests = meter.createCounter('http.server.requests',
      { unit: '{request}', description: 'Requests served.' });
  const queue = meter.createUpDownCounter('queue.items', { unit: '{item}' });
  const memory = meter.createObservableGauge('process.memory.usage',
      { unit: 'By', description: 'Memory in use.' });
  memory.addCallback((r) => r.observe(1234567, { pool: 'heap' }));
  const cpu = meter.createObservableGauge('cpu.utilization', { unit: '1' });
  cpu.addCallback((r) => r.observe(0.25));
  const duration = meter.createHistogram('http.server.duration',
      { unit: 's' });

  requests.add(5, { 'http.method': 'GET', 'http.route': '/cart' });
  requests.add(2, { 'http.method': 'POST', 'http.route': '/cart' });
  queue.add(10);
  queue.add(-3);
  for (const v of [0.05, 0.3, 0.7, 2]) {
    duration.record(v, { 'http.method': 'GET' });
  }
  await exportOnce();
  // The second export's timestamps must differ from the first's (ms).
  await new Promise((resolve) => setTimeout(resolve, 20));
  requests.add(1, { 'http.method': 'GET', 'http.route': '/cart' });
  await exportOnce();
}

async function exponential() {
  const size = meter.createHistogram('payload.size', { unit: 'By' });
  const batches = meter.createCounter('batches');
  size.record(100);
  size.record(2000);
  batches.add(3);
  await exportOnce();
}

async function delta() {
  const requests = meter.createCounter('jobs.done');
  const duration = meter.createHistogram('http.server.duration',
      { unit: 's' });
  const queue = meter.createUpDownCounter('queue.items', { unit: '{item}' });
  requests.add(4);
  duration.record(0.2);
  queue.add(9);
  await exportOnce();
}

const scenarios = { basic, exponential, delta };
if (!(scenario in scenarios)) {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
try {
  await scenarios[scenario]();
  await exporter.shutdown();
} catch (e) {
  console.error(e);
  process.exit(1);
}
