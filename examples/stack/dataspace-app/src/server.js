'use strict';
// The dataspace connector: HTTP API, /metrics and the traffic generator.
// Environment:
//   APP_HOST (127.0.0.1), APP_PORT (3000)
//   TRAFFIC_RATE        requests per second the generator sends (5; 0 = off; at most 200)
//   TRAFFIC_DURATION_SECONDS  stop generating after this long (0 = never)
const { createApp } = require('./app');
const { initMetrics } = require('./domain');
const { startTraffic } = require('./traffic');

const host = process.env.APP_HOST || '127.0.0.1';
const port = Number(process.env.APP_PORT || 3000);
const rate = Number(process.env.TRAFFIC_RATE ?? 5);
const duration = Number(process.env.TRAFFIC_DURATION_SECONDS || 0);

initMetrics();
const server = createApp().listen(port, host, () => {
  console.log(`dataspace connector on http://${host}:${port} (traffic ${rate}/s)`);
});
const stopTraffic = startTraffic(`http://${host}:${port}`, rate, duration);

function shutdown(signal) {
  console.log(`${signal}: stopping`);
  stopTraffic();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
