'use strict';
// A built-in traffic generator: the calls a dataspace's participants
// would make, through the real HTTP API so that every metric moves. Its
// rate is bounded (at most MAX_RATE requests per second, at most
// MAX_INFLIGHT at once) and it stops after `durationSeconds` if set.
const d = require('./domain');

const MAX_RATE = 200;
const MAX_INFLIGHT = 20;

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

const TITLES = ['Course completions', 'Skill passports', 'Hospital stays', 'Bike trips', 'Job offers', 'Exam results'];

// One step of a participant's life, chosen with realistic weights.
function nextCall() {
  const r = Math.random();
  const consentIds = d.consentIds();
  const offerIds = d.offerIds();
  if (r < 0.15 || consentIds.length === 0) {
    return ['POST', '/api/consents', { subject: `subject-${Math.floor(Math.random() * 1000)}`, purpose: pick(d.PURPOSES) }];
  }
  if (r < 0.4) {
    // Verifications dominate: every exchange checks consent first; a few
    // are for a purpose that was not granted.
    const purpose = Math.random() < 0.9 ? undefined : pick(d.PURPOSES);
    const q = purpose ? `?purpose=${purpose}` : '';
    return ['GET', `/api/consents/${pick(consentIds)}/verify${q}`];
  }
  if (r < 0.43) return ['DELETE', `/api/consents/${pick(consentIds)}`];
  if (r < 0.5 || offerIds.length === 0) {
    return ['POST', '/api/catalog/offers', { title: `${pick(TITLES)} ${Math.floor(Math.random() * 100)}`, data_category: pick(d.DATA_CATEGORIES), offer_type: pick(d.OFFER_TYPES) }];
  }
  if (r < 0.65) return ['GET', `/api/catalog/search?q=${encodeURIComponent(pick(TITLES).split(' ')[0])}&category=${pick(d.DATA_CATEGORIES)}`];
  if (r < 0.73) return ['POST', '/api/contracts/negotiate', { offer_id: pick(offerIds) }];
  const agreed = d.contractIds('agreed');
  if (r < 0.8 && agreed.length > 0) return ['POST', `/api/contracts/${pick(agreed)}/sign`, { party_role: pick(['provider', 'consumer']) }];
  const signed = d.contractIds('signed');
  if (r < 0.83 && signed.length > 0) return ['POST', `/api/contracts/${pick(signed)}/terminate`, { reason: pick(d.TERMINATION_REASONS) }];
  if (r < 0.86) return ['GET', '/api/connectors/health'];
  if (r < 0.98) return ['POST', `/api/connectors/${pick(d.PEERS)}/transfers`, { direction: pick(['push', 'pull']), bytes: Math.floor(Math.random() * 5e6) }];
  // A few calls that are simply wrong: unknown contract, bad input.
  return Math.random() < 0.5 ? ['POST', '/api/contracts/contract-unknown/sign', { party_role: 'consumer' }] : ['POST', '/api/consents', { purpose: 'advertising' }];
}

// Starts sending `rate` requests per second to `baseUrl`; returns a
// function that stops it.
function startTraffic(baseUrl, rate, durationSeconds) {
  const perSecond = Math.min(Math.max(rate, 0), MAX_RATE);
  if (perSecond === 0) return () => {};
  let inflight = 0;
  const stopAt = durationSeconds > 0 ? Date.now() + durationSeconds * 1000 : Infinity;
  const timer = setInterval(async () => {
    if (Date.now() >= stopAt) return clearInterval(timer);
    if (inflight >= MAX_INFLIGHT) return;
    const [method, path, body] = nextCall();
    inflight++;
    try {
      const res = await fetch(baseUrl + path, {
        method,
        headers: body ? { 'Content-Type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(15000),
      });
      await res.arrayBuffer();
    } catch {
      // The server's own metrics record what went wrong.
    } finally {
      inflight--;
    }
  }, 1000 / perSecond);
  // Peer health checks on a schedule, as a connector does.
  const health = setInterval(() => d.checkPeers().catch(() => {}), 5000);
  return () => {
    clearInterval(timer);
    clearInterval(health);
  };
}

module.exports = { startTraffic };
