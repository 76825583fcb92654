'use strict';
// Failures the connector meets: a little natural flakiness of its peers
// (rare errors, rare slowdowns) and faults injected on purpose through
// POST /admin/faults (to see alerts fire), which last a bounded time.

const NATURAL_ERROR_RATIO = 0.01;
const NATURAL_SLOWDOWN_RATIO = 0.03;
const MAX_FAULT_SECONDS = 3600;

let injected = { errorRatio: 0, extraLatencyMs: 0, until: 0 };

class PeerError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PeerError';
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function active() {
  return Date.now() < injected.until;
}

// Sets a fault for `durationSeconds` (bounded); returns what is in force.
function inject({ error_ratio = 0, extra_latency_ms = 0, duration_seconds = 60 }) {
  const ratio = Math.min(Math.max(Number(error_ratio) || 0, 0), 1);
  const latency = Math.min(Math.max(Number(extra_latency_ms) || 0, 0), 10000);
  const seconds = Math.min(Math.max(Number(duration_seconds) || 0, 0), MAX_FAULT_SECONDS);
  injected = { errorRatio: ratio, extraLatencyMs: latency, until: Date.now() + seconds * 1000 };
  return describe();
}

function clear() {
  injected = { errorRatio: 0, extraLatencyMs: 0, until: 0 };
  return describe();
}

function describe() {
  return active()
    ? {
        error_ratio: injected.errorRatio,
        extra_latency_ms: injected.extraLatencyMs,
        remaining_seconds: Math.round((injected.until - Date.now()) / 1000),
      }
    : { error_ratio: 0, extra_latency_ms: 0, remaining_seconds: 0 };
}

// One call to a peer connector or backing store: takes `baseMs` of work
// with some jitter, sometimes much longer, and sometimes fails.
async function peerCall(what, baseMs) {
  let ms = baseMs * (0.5 + Math.random());
  if (Math.random() < NATURAL_SLOWDOWN_RATIO) ms += 150 + Math.random() * 600;
  if (active()) ms += injected.extraLatencyMs;
  await sleep(ms);
  const errorRatio = active() ? Math.max(injected.errorRatio, NATURAL_ERROR_RATIO) : NATURAL_ERROR_RATIO;
  if (Math.random() < errorRatio) throw new PeerError(`${what}: peer did not answer in time`);
}

module.exports = { PeerError, inject, clear, describe, peerCall, sleep };
