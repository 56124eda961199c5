/** Prometheus metrics (prom-client), one registry per server instance so tests can run several. */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'rampart_connections', help: 'Open WebSocket connections', registers: [this.registry] });
  readonly handshakeRejections = new Counter({
    name: 'rampart_handshake_rejections_total',
    help: 'Upgrades refused before the 101, by reason',
    labelNames: ['reason', 'status'] as const,
    registers: [this.registry],
  });
  readonly violations = new Counter({
    name: 'rampart_violations_total',
    help: 'Protocol and policy violations on open connections, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly logins = new Counter({
    name: 'rampart_logins_total',
    help: 'Login attempts by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
