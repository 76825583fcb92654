'use strict';
// Alertmanager's webhook receiver for the stack: appends the body of each
// POST, as one JSON line, to WEBHOOK_LOG; answers 200 so that Alertmanager
// counts the notification as delivered. Node's standard library only.
//   WEBHOOK_HOST (127.0.0.1), WEBHOOK_PORT (9096), WEBHOOK_LOG (./alerts.jsonl)
const fs = require('fs');
const http = require('http');

const host = process.env.WEBHOOK_HOST || '127.0.0.1';
const port = Number(process.env.WEBHOOK_PORT || 9096);
const logPath = process.env.WEBHOOK_LOG || 'alerts.jsonl';
const MAX_BODY = 4 << 20;

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(req.url === '/healthz' ? 200 : 405).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY) return res.writeHead(413).end();
    let line;
    try {
      line = JSON.stringify({ received_at: new Date().toISOString(), path: req.url, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    } catch {
      return res.writeHead(400).end('invalid JSON\n');
    }
    fs.appendFile(logPath, line + '\n', (err) => {
      res.writeHead(err ? 500 : 200).end();
    });
  });
});
server.listen(port, host, () => console.log(`webhook logger on http://${host}:${port}, writing ${logPath}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
