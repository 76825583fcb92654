'use strict';
// The connector's state, in memory and bounded: consents of data
// subjects, contracts with counterparties, the catalog of data offers and
// the peer connectors. Every change updates the metrics.
const crypto = require('crypto');
const m = require('./metrics');
const { peerCall } = require('./faults');

const PURPOSES = ['research', 'service_improvement', 'job_matching', 'education'];
const DATA_CATEGORIES = ['skills', 'learning_traces', 'health', 'mobility'];
const OFFER_TYPES = ['free', 'subscription', 'pay_per_use'];
const PEERS = ['provider-edu', 'provider-health', 'consumer-analytics'];
const TERMINATION_REASONS = ['expired', 'revoked_consent', 'breach', 'by_party'];
// Old entries are dropped beyond these, so memory stays bounded however
// long the traffic runs.
const MAX_CONSENTS = 5000;
const MAX_CONTRACTS = 5000;
const MAX_OFFERS = 2000;

const consents = new Map(); // id -> {subject, purpose, granted}
const contracts = new Map(); // id -> {offerId, offerType, state, signatures}
const offers = new Map(); // id -> {title, dataCategory, offerType}

class NotFound extends Error {}
class Invalid extends Error {}

function newId(prefix) {
  return `${prefix}-${crypto.randomUUID()}`;
}

function evictOldest(map, max, onEvict) {
  while (map.size > max) {
    const [id, value] = map.entries().next().value;
    map.delete(id);
    onEvict(value);
  }
}

function oneOf(value, allowed, what) {
  if (!allowed.includes(value)) throw new Invalid(`${what} must be one of ${allowed.join(', ')}`);
  return value;
}

// Consent

async function grantConsent({ subject, purpose }) {
  if (!subject) throw new Invalid('subject is required');
  oneOf(purpose, PURPOSES, 'purpose');
  await peerCall('consent registry', 3);
  const id = newId('consent');
  consents.set(id, { subject, purpose, granted: true });
  m.consentGrants.inc({ purpose });
  m.consentActive.inc({ purpose });
  evictOldest(consents, MAX_CONSENTS, (c) => c.granted && m.consentActive.dec({ purpose: c.purpose }));
  return { id, subject, purpose, granted: true };
}

async function revokeConsent(id) {
  const consent = consents.get(id);
  if (!consent) throw new NotFound(`no consent ${id}`);
  await peerCall('consent registry', 3);
  if (consent.granted) {
    consent.granted = false;
    m.consentRevocations.inc({ purpose: consent.purpose });
    m.consentActive.dec({ purpose: consent.purpose });
  }
  return { id, granted: false };
}

async function verifyConsent(id, purpose) {
  const consent = consents.get(id);
  const labelPurpose = consent ? consent.purpose : PURPOSES.includes(purpose) ? purpose : 'unknown';
  try {
    await peerCall('consent registry', 2);
  } catch (err) {
    m.consentVerifications.inc({ purpose: labelPurpose, result: 'error' });
    throw err;
  }
  const granted = Boolean(consent && consent.granted && (!purpose || purpose === consent.purpose));
  m.consentVerifications.inc({ purpose: labelPurpose, result: granted ? 'granted' : 'denied' });
  return { id, purpose: labelPurpose, granted };
}

// Catalog

async function publishOffer({ title, data_category, offer_type }) {
  if (!title) throw new Invalid('title is required');
  oneOf(data_category, DATA_CATEGORIES, 'data_category');
  oneOf(offer_type, OFFER_TYPES, 'offer_type');
  await peerCall('catalog index', 4);
  const id = newId('offer');
  offers.set(id, { title, dataCategory: data_category, offerType: offer_type });
  m.catalogPublications.inc({ data_category });
  m.catalogOffers.inc({ data_category });
  evictOldest(offers, MAX_OFFERS, (o) => m.catalogOffers.dec({ data_category: o.dataCategory }));
  return { id, title, data_category, offer_type };
}

async function searchCatalog({ q = '', category }) {
  const end = m.catalogSearchDuration.startTimer();
  try {
    await peerCall('catalog index', 5);
    const needle = String(q).toLowerCase();
    const found = [];
    for (const [id, o] of offers) {
      if (category && o.dataCategory !== category) continue;
      if (needle && !o.title.toLowerCase().includes(needle)) continue;
      found.push({ id, title: o.title, data_category: o.dataCategory, offer_type: o.offerType });
      if (found.length >= 50) break;
    }
    m.catalogSearches.inc({ outcome: found.length > 0 ? 'hit' : 'miss' });
    return found;
  } finally {
    end();
  }
}

// Contract

async function negotiateContract({ offer_id }) {
  const offer = offers.get(offer_id);
  if (!offer) throw new NotFound(`no offer ${offer_id}`);
  const offerType = offer.offerType;
  const end = m.contractNegotiationDuration.startTimer({ offer_type: offerType });
  try {
    await peerCall('counterparty connector', 15);
  } catch (err) {
    end();
    m.contractNegotiations.inc({ offer_type: offerType, outcome: 'failed' });
    throw err;
  }
  end();
  // Counterparties turn down some offers (policy mismatch).
  if (Math.random() < 0.1) {
    m.contractNegotiations.inc({ offer_type: offerType, outcome: 'rejected' });
    return { state: 'rejected', offer_id };
  }
  m.contractNegotiations.inc({ offer_type: offerType, outcome: 'agreed' });
  const id = newId('contract');
  contracts.set(id, { offerId: offer_id, offerType, state: 'agreed', signatures: new Set() });
  evictOldest(contracts, MAX_CONTRACTS, (c) => c.state === 'signed' && m.contractActive.dec({ offer_type: c.offerType }));
  return { id, state: 'agreed', offer_id };
}

async function signContract(id, { party_role }) {
  const contract = contracts.get(id);
  if (!contract) throw new NotFound(`no contract ${id}`);
  oneOf(party_role, ['provider', 'consumer'], 'party_role');
  if (contract.state === 'terminated') throw new Invalid('contract is terminated');
  await peerCall('signature service', 4);
  if (!contract.signatures.has(party_role)) {
    contract.signatures.add(party_role);
    m.contractSignatures.inc({ party_role });
  }
  if (contract.signatures.size === 2 && contract.state !== 'signed') {
    contract.state = 'signed';
    m.contractActive.inc({ offer_type: contract.offerType });
  }
  return { id, state: contract.state, signatures: [...contract.signatures] };
}

async function terminateContract(id, { reason }) {
  const contract = contracts.get(id);
  if (!contract) throw new NotFound(`no contract ${id}`);
  oneOf(reason, TERMINATION_REASONS, 'reason');
  await peerCall('counterparty connector', 5);
  if (contract.state === 'signed') m.contractActive.dec({ offer_type: contract.offerType });
  if (contract.state !== 'terminated') m.contractTerminations.inc({ reason });
  contract.state = 'terminated';
  return { id, state: 'terminated' };
}

// Connector

async function checkPeers() {
  const results = {};
  await Promise.all(
    PEERS.map(async (peer) => {
      try {
        await peerCall(`health of ${peer}`, 2);
        results[peer] = 'ok';
        m.connectorUp.set({ peer }, 1);
      } catch {
        results[peer] = 'failed';
        m.connectorUp.set({ peer }, 0);
      }
      m.connectorHealthChecks.inc({ peer, result: results[peer] });
    })
  );
  return results;
}

async function transfer(peer, { direction, bytes }) {
  oneOf(peer, PEERS, 'peer');
  oneOf(direction, ['push', 'pull'], 'direction');
  const size = Math.min(Math.max(Math.floor(Number(bytes) || 0), 1), 1 << 30);
  const end = m.connectorTransferDuration.startTimer({ direction });
  try {
    await peerCall(`transfer with ${peer}`, 10 + size / 1e6);
  } catch (err) {
    end();
    m.connectorTransfers.inc({ peer, direction, outcome: 'failed' });
    throw err;
  }
  end();
  m.connectorTransfers.inc({ peer, direction, outcome: 'completed' });
  m.connectorTransferBytes.inc({ peer, direction }, size);
  return { peer, direction, bytes: size, state: 'completed' };
}

// Zero-valued series for every label combination the dashboards show, so
// rates start at 0 instead of being absent until the first event.
function initMetrics() {
  for (const purpose of PURPOSES) {
    m.consentGrants.inc({ purpose }, 0);
    m.consentRevocations.inc({ purpose }, 0);
    m.consentActive.set({ purpose }, 0);
    for (const result of ['granted', 'denied', 'error']) m.consentVerifications.inc({ purpose, result }, 0);
  }
  for (const offer_type of OFFER_TYPES) {
    m.contractActive.set({ offer_type }, 0);
    for (const outcome of ['agreed', 'rejected', 'failed']) m.contractNegotiations.inc({ offer_type, outcome }, 0);
  }
  for (const party_role of ['provider', 'consumer']) m.contractSignatures.inc({ party_role }, 0);
  for (const reason of TERMINATION_REASONS) m.contractTerminations.inc({ reason }, 0);
  for (const data_category of DATA_CATEGORIES) {
    m.catalogPublications.inc({ data_category }, 0);
    m.catalogOffers.set({ data_category }, 0);
  }
  for (const outcome of ['hit', 'miss']) m.catalogSearches.inc({ outcome }, 0);
  for (const peer of PEERS) {
    m.connectorUp.set({ peer }, 1);
    for (const result of ['ok', 'failed']) m.connectorHealthChecks.inc({ peer, result }, 0);
    for (const direction of ['push', 'pull']) {
      m.connectorTransferBytes.inc({ peer, direction }, 0);
      for (const outcome of ['completed', 'failed']) m.connectorTransfers.inc({ peer, direction, outcome }, 0);
    }
  }
}

module.exports = {
  PURPOSES,
  DATA_CATEGORIES,
  OFFER_TYPES,
  PEERS,
  TERMINATION_REASONS,
  NotFound,
  Invalid,
  grantConsent,
  revokeConsent,
  verifyConsent,
  publishOffer,
  searchCatalog,
  negotiateContract,
  signContract,
  terminateContract,
  checkPeers,
  transfer,
  initMetrics,
  consentIds: () => [...consents.keys()],
  contractIds: (state) => [...contracts].filter(([, c]) => !state || c.state === state).map(([id]) => id),
  offerIds: () => [...offers.keys()],
};
