'use strict';
// The connector's HTTP API (Express): consent, contract, catalog and
// connector routes under /api, fault injection under /admin, /metrics for
// Prometheus and /healthz.
const express = require('express');
const m = require('./metrics');
const d = require('./domain');
const faults = require('./faults');

// Wraps an async handler so that its errors reach the error middleware,
// and notes the route template while it is known (Express forgets
// req.baseUrl once an error leaves the router).
const handle = (fn) => (req, res, next) => {
  res.locals.route = req.baseUrl + req.route.path;
  fn(req, res).catch(next);
};

function createApp() {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb' }));

  // Duration of every request, labelled with the route template (not the
  // raw path: ids would make one series per request).
  app.use((req, res, next) => {
    const end = m.httpRequestDuration.startTimer();
    res.on('finish', () => {
      const route = res.locals.route || 'unmatched';
      end({ route, method: req.method, status_code: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', handle(async (req, res) => res.json({ status: 'ok' })));
  app.get('/metrics', handle(async (req, res) => {
    res.set('Content-Type', m.register.contentType);
    res.send(await m.register.metrics());
  }));

  const api = express.Router();
  api.post('/consents', handle(async (req, res) => res.status(201).json(await d.grantConsent(req.body))));
  api.delete('/consents/:id', handle(async (req, res) => res.json(await d.revokeConsent(req.params.id))));
  api.get('/consents/:id/verify', handle(async (req, res) => res.json(await d.verifyConsent(req.params.id, req.query.purpose))));

  api.post('/contracts/negotiate', handle(async (req, res) => {
    const result = await d.negotiateContract(req.body);
    res.status(result.state === 'rejected' ? 409 : 201).json(result);
  }));
  api.post('/contracts/:id/sign', handle(async (req, res) => res.json(await d.signContract(req.params.id, req.body))));
  api.post('/contracts/:id/terminate', handle(async (req, res) => res.json(await d.terminateContract(req.params.id, req.body))));

  api.post('/catalog/offers', handle(async (req, res) => res.status(201).json(await d.publishOffer(req.body))));
  api.get('/catalog/search', handle(async (req, res) => res.json({ offers: await d.searchCatalog(req.query) })));

  api.get('/connectors/health', handle(async (req, res) => {
    const peers = await d.checkPeers();
    const allOk = Object.values(peers).every((s) => s === 'ok');
    res.status(allOk ? 200 : 503).json({ peers });
  }));
  api.post('/connectors/:peer/transfers', handle(async (req, res) => res.status(201).json(await d.transfer(req.params.peer, req.body))));
  app.use('/api', api);

  // Fault injection, to watch the alerts fire: errors on a share of peer
  // calls and extra latency, for a bounded time.
  app.get('/admin/faults', handle(async (req, res) => res.json(faults.describe())));
  app.post('/admin/faults', handle(async (req, res) => res.json(faults.inject(req.body || {}))));
  app.delete('/admin/faults', handle(async (req, res) => res.json(faults.clear())));

  app.use((req, res) => res.status(404).json({ error: 'not found' }));
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    if (err instanceof d.NotFound) return res.status(404).json({ error: err.message });
    if (err instanceof d.Invalid) return res.status(400).json({ error: err.message });
    if (err instanceof faults.PeerError) return res.status(502).json({ error: err.message });
    if (err.type === 'entity.parse.failed') return res.status(400).json({ error: 'invalid JSON' });
    console.error(err);
    return res.status(500).json({ error: 'internal error' });
  });
  return app;
}

module.exports = { createApp };
