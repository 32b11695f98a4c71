import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The process's metrics, exposed at /metrics when METRICS_TOKEN is set. Labels never carry room
 * ids or anything a person typed.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "ephemera_" });

export const metrics = {
  openEventStreams: new Gauge({
    name: "ephemera_open_event_streams",
    help: "room.events streams open on this instance",
    registers: [registry],
  }),
  roomsCreated: new Counter({ name: "ephemera_rooms_created_total", help: "Rooms created", registers: [registry] }),
  roomsDestroyed: new Counter({
    name: "ephemera_rooms_destroyed_total",
    help: "Rooms destroyed with Destroy now",
    registers: [registry],
  }),
  roomsExpired: new Counter({
    name: "ephemera_rooms_expired_total",
    help: "Rooms that reached their deadline, counted by the instance streaming to their first seat",
    registers: [registry],
  }),
  messagesSent: new Counter({ name: "ephemera_messages_sent_total", help: "Messages stored", registers: [registry] }),
  sendToDeliver: new Histogram({
    name: "ephemera_send_to_deliver_seconds",
    help: "From a message being stored to its event leaving this instance on a live stream",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  redisErrors: new Counter({
    name: "ephemera_redis_errors_total",
    help: "Errors reported by Redis connections",
    labelNames: ["connection"] as const,
    registers: [registry],
  }),
  redisReconnects: new Counter({
    name: "ephemera_redis_reconnects_total",
    help: "Reconnection attempts by Redis connections",
    labelNames: ["connection"] as const,
    registers: [registry],
  }),
};

const recentlyExpired = new Set<string>();

/** Counts a room's expiry once per instance, however many of its streams see it. */
export function countExpiry(roomId: string): void {
  if (recentlyExpired.has(roomId)) return;
  recentlyExpired.add(roomId);
  metrics.roomsExpired.inc();
  setTimeout(() => recentlyExpired.delete(roomId), 60_000).unref();
}
