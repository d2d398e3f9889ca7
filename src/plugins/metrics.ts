/**
 * Prometheus metrics (prom-client, one registry per app): request counts and latency per route
 * pattern, assignments per persona and model version, the active models, the assignment log's
 * entries and batches by outcome, and process metrics.
 */
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CompiledModel } from '../services/compiled-model.ts';

export interface MetricsRecorder {
  registry: Registry;
  countAssignment(model: CompiledModel, personaIndex: number): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: MetricsRecorder;
  }
}

// Buckets around the /v1/assign latency budget (milliseconds) and up to slow training calls.
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30];

export const metricsPlugin = fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route pattern and status', labelNames, registers: [registry] });
    const latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route pattern and status',
      labelNames,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    });
    const assignments = new Counter({
      name: 'persona_assignments_total',
      help: 'Customers assigned, by model, version and persona',
      labelNames: ['model', 'version', 'persona'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'persona_active_model_info',
      help: 'Active model versions (value 1); the default one served without ?model= has default="true"',
      labelNames: ['model', 'version', 'id', 'default'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const served = app.services.registry.default;
        for (const model of app.services.registry.active()) {
          this.set({ model: model.name, version: String(model.version), id: model.id, default: String(model === served) }, 1);
        }
      },
    });

    // Read from the assignment log writer's own counts at scrape time: record() stays free of metric calls.
    new Counter({
      name: 'persona_assignment_log_entries_total',
      help: 'Assignment log entries: recorded (buffered after sampling), written, dropped (buffer full or shutting down), failed (lost with a failed insert)',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        const { recorded, written, dropped, failed } = app.services.assignmentLog.stats;
        this.reset();
        for (const [outcome, count] of Object.entries({ recorded, written, dropped, failed })) this.inc({ outcome }, count);
      },
    });
    new Counter({
      name: 'persona_assignment_log_batches_total',
      help: 'Assignment log inserts (one batch each), by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        const { batchesWritten, batchesFailed } = app.services.assignmentLog.stats;
        this.reset();
        this.inc({ outcome: 'written' }, batchesWritten);
        this.inc({ outcome: 'failed' }, batchesFailed);
      },
    });
    new Gauge({
      name: 'persona_assignment_log_pending',
      help: 'Assignment log entries waiting to be written',
      registers: [registry],
      collect() {
        this.set(app.services.assignmentLog.stats.pending);
      },
    });
    new Counter({
      name: 'persona_audit_write_failures_total',
      help: 'Audit trail entries that could not be written (the action was done but is not in the trail; each is logged at error)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(app.services.auditTrail.failedWrites);
      },
    });

    // Label sets resolved once and kept: prom-client would otherwise hash the labels on every request.
    // Bounded by methods × route patterns × statuses (unmatched paths share one label).
    const requestSeries = new Map<string, { count: ReturnType<typeof requests.labels>; duration: ReturnType<typeof latency.labels> }>();
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const key = `${request.method} ${reply.statusCode} ${route}`;
      let series = requestSeries.get(key);
      if (!series) {
        const labels = { method: request.method, route, status_code: String(reply.statusCode) };
        series = { count: requests.labels(labels), duration: latency.labels(labels) };
        requestSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(reply.elapsedTime / 1000);
      done();
    });

    // Per compiled model (a new object after every activation or edit), one counter child per persona.
    const assignmentSeries = new WeakMap<CompiledModel, Array<ReturnType<typeof assignments.labels>>>();
    app.decorate('metrics', {
      registry,
      countAssignment(model: CompiledModel, personaIndex: number) {
        let series = assignmentSeries.get(model);
        if (!series) {
          series = model.personas.map((persona) => assignments.labels({ model: model.name, version: String(model.version), persona: persona.key }));
          assignmentSeries.set(model, series);
        }
        series[personaIndex]!.inc();
      },
    });
  },
  { name: 'metrics', dependencies: ['services'] },
);
