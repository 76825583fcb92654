'use strict';
// Every metric the connector exports, in one registry: prom-client's
// default process/runtime metrics, the HTTP request duration histogram,
// and the dataspace_* metrics of the four domains (consent, contract,
// catalog, connector).
const client = require('prom-client');

const register = new client.Registry();
register.setDefaultLabels({ service: 'dataspace-connector' });
client.collectDefaultMetrics({ register });

// Latency buckets for an API whose normal answers take a few ms and whose
// slowdowns take hundreds.
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const httpRequestDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests served by the connector, by route template, method and status code.',
  labelNames: ['route', 'method', 'status_code'],
  buckets: latencyBuckets,
  registers: [register],
});

// Consent: a data subject's permission for a purpose.
const consentGrants = new client.Counter({
  name: 'dataspace_consent_grants_total',
  help: 'Consents granted by data subjects, by purpose.',
  labelNames: ['purpose'],
  registers: [register],
});
const consentRevocations = new client.Counter({
  name: 'dataspace_consent_revocations_total',
  help: 'Consents revoked by data subjects, by purpose.',
  labelNames: ['purpose'],
  registers: [register],
});
const consentVerifications = new client.Counter({
  name: 'dataspace_consent_verifications_total',
  help: 'Consent verifications before a data exchange, by purpose and result (granted, denied, error).',
  labelNames: ['purpose', 'result'],
  registers: [register],
});
const consentActive = new client.Gauge({
  name: 'dataspace_consent_active',
  help: 'Consents currently granted and not revoked, by purpose.',
  labelNames: ['purpose'],
  registers: [register],
});

// Contract: a usage agreement negotiated between a provider and a consumer.
const contractNegotiations = new client.Counter({
  name: 'dataspace_contract_negotiations_total',
  help: 'Contract negotiations finished, by offer type and outcome (agreed, rejected, failed).',
  labelNames: ['offer_type', 'outcome'],
  registers: [register],
});
const contractNegotiationDuration = new client.Histogram({
  name: 'dataspace_contract_negotiation_duration_seconds',
  help: 'Time to negotiate a contract with the counterparty connector, by offer type.',
  labelNames: ['offer_type'],
  buckets: latencyBuckets,
  registers: [register],
});
const contractSignatures = new client.Counter({
  name: 'dataspace_contract_signatures_total',
  help: 'Contract signatures recorded, by the role of the signing party (provider, consumer).',
  labelNames: ['party_role'],
  registers: [register],
});
const contractTerminations = new client.Counter({
  name: 'dataspace_contract_terminations_total',
  help: 'Contracts terminated, by reason (expired, revoked_consent, breach, by_party).',
  labelNames: ['reason'],
  registers: [register],
});
const contractActive = new client.Gauge({
  name: 'dataspace_contract_active',
  help: 'Contracts signed and not terminated, by offer type.',
  labelNames: ['offer_type'],
  registers: [register],
});

// Catalog: the offers this connector publishes and finds.
const catalogPublications = new client.Counter({
  name: 'dataspace_catalog_publications_total',
  help: 'Data offers published to the catalog, by data category.',
  labelNames: ['data_category'],
  registers: [register],
});
const catalogSearches = new client.Counter({
  name: 'dataspace_catalog_searches_total',
  help: 'Catalog searches, by outcome (hit, miss).',
  labelNames: ['outcome'],
  registers: [register],
});
const catalogSearchDuration = new client.Histogram({
  name: 'dataspace_catalog_search_duration_seconds',
  help: 'Time to answer a catalog search.',
  buckets: latencyBuckets,
  registers: [register],
});
const catalogOffers = new client.Gauge({
  name: 'dataspace_catalog_offers',
  help: 'Data offers in the catalog, by data category.',
  labelNames: ['data_category'],
  registers: [register],
});

// Connector: the peers this connector exchanges data with.
const connectorUp = new client.Gauge({
  name: 'dataspace_connector_up',
  help: 'Whether the last health check of a peer connector succeeded (1) or not (0).',
  labelNames: ['peer'],
  registers: [register],
});
const connectorHealthChecks = new client.Counter({
  name: 'dataspace_connector_health_checks_total',
  help: 'Health checks of peer connectors, by peer and result (ok, failed).',
  labelNames: ['peer', 'result'],
  registers: [register],
});
const connectorTransfers = new client.Counter({
  name: 'dataspace_connector_transfers_total',
  help: 'Data transfers with peer connectors, by peer, direction (push, pull) and outcome (completed, failed).',
  labelNames: ['peer', 'direction', 'outcome'],
  registers: [register],
});
const connectorTransferBytes = new client.Counter({
  name: 'dataspace_connector_transfer_bytes_total',
  help: 'Bytes of data transferred with peer connectors, by peer and direction.',
  labelNames: ['peer', 'direction'],
  registers: [register],
});
const connectorTransferDuration = new client.Histogram({
  name: 'dataspace_connector_transfer_duration_seconds',
  help: 'Time of a data transfer with a peer connector, by direction.',
  labelNames: ['direction'],
  buckets: latencyBuckets,
  registers: [register],
});

module.exports = {
  register,
  httpRequestDuration,
  consentGrants,
  consentRevocations,
  consentVerifications,
  consentActive,
  contractNegotiations,
  contractNegotiationDuration,
  contractSignatures,
  contractTerminations,
  contractActive,
  catalogPublications,
  catalogSearches,
  catalogSearchDuration,
  catalogOffers,
  connectorUp,
  connectorHealthChecks,
  connectorTransfers,
  connectorTransferBytes,
  connectorTransferDuration,
};
