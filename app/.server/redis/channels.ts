import { Cluster } from "ioredis";
import type { RedisClient } from "./connections";
import { writeBatcher } from "./write-batching";

/** Called with each payload published on the channel, or with null after a gap (see below). */
export type ChannelHandler = (payload: string | null) => void;

/**
 * The process's one subscriber connection, shared by everything that listens (rooms, visitors
 * waiting for a match): each channel has one handler, which fans out locally as it sees fit.
 *
 * On a Redis Cluster the channels are shard channels (SSUBSCRIBE), each served by the primary
 * that holds its slot, so a room's events stay on its own primary (decision 025).
 *
 * Pub/sub is at-most-once: whatever was published while the connection was away is gone. After a
 * reconnect (on a Cluster: after the subscribers were rebuilt for a new slot map) every channel is
 * subscribed again and its handler is called with null, so listeners re-read the stored state
 * they may have missed.
 */
export class RedisChannels {
  private readonly handlers = new Map<string, ChannelHandler>();
  /** Resolves when Redis has confirmed the channel's SUBSCRIBE. */
  private readonly subscribed = new Map<string, Promise<unknown>>();
  /**
   * A room's first stream in this process subscribes and its last one unsubscribes: under churn,
   * or when every tab reconnects after a deploy, that is one command per room, sent with the
   * others of its event-loop turn rather than one write each.
   */
  private readonly batchWrites: () => void;
  private readonly sharded: boolean;

  constructor(private readonly subscriber: RedisClient) {
    this.batchWrites = writeBatcher(subscriber);
    this.sharded = subscriber instanceof Cluster;
    const deliver = (channel: string, payload: string) => this.handlers.get(channel)?.(payload);
    if (subscriber instanceof Cluster) {
      subscriber.on("smessage", deliver);
      // ioredis resubscribes every shard channel itself once its subscribers follow a new slot
      // map, or replace one whose connection dropped (it does not reconnect by itself), and says
      // so with `subscribersReady` (also twice at startup) without waiting for Redis' replies.
      // Subscribing each channel again on the new connection and awaiting that reply closes the
      // gap: once it is confirmed, what listeners re-read cannot miss a later event. ioredis
      // keeps the duplicate in its list until the channel is unsubscribed.
      subscriber.on("subscribersReady", () => {
        for (const [channel, handler] of this.handlers) {
          subscriber.ssubscribe(channel).then(
            () => {
              if (this.handlers.get(channel) === handler) handler(null);
            },
            () => {
              // The subscribers are being rebuilt again; the next subscribersReady retries.
            },
          );
        }
      });
      // When a slot moves to another primary (resharding), the old owner drops the slot's shard
      // channels with a SUNSUBSCRIBE nobody asked for. ioredis 5.11 only reports that reply as a
      // node error and keeps its old slot map, so the room would fall silent until some other
      // change made it look again. Reading the slot map now moves the subscription to the new
      // owner, and the subscribersReady above has every listener re-read what it missed.
      subscriber.on("nodeError", (error: Error) => {
        if (/Last reply: sunsubscribe\b/i.test(error.message)) subscriber.refreshSlotsCache();
      });
      return;
    }
    subscriber.on("message", deliver);
    let connectedBefore = false;
    subscriber.on("ready", () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      const channels = [...this.handlers.keys()];
      const resubscribed = channels.length > 0 ? subscriber.subscribe(...channels) : Promise.resolve();
      resubscribed.then(
        () => {
          for (const handler of this.handlers.values()) handler(null);
        },
        () => {
          // The connection dropped again; the next "ready" retries.
        },
      );
    });
  }

  /** Routes the channel to `handler` and resolves once Redis confirms the subscription. */
  async add(channel: string, handler: ChannelHandler): Promise<void> {
    if (!this.handlers.has(channel)) {
      this.handlers.set(channel, handler);
      this.batchWrites();
      this.subscribed.set(
        channel,
        this.sharded ? this.subscriber.ssubscribe(channel) : this.subscriber.subscribe(channel),
      );
    }
    try {
      await this.subscribed.get(channel);
    } catch (error) {
      this.remove(channel);
      throw error;
    }
  }

  remove(channel: string): void {
    if (!this.handlers.delete(channel)) return;
    this.subscribed.delete(channel);
    this.batchWrites();
    const unsubscribed = this.sharded ? this.subscriber.sunsubscribe(channel) : this.subscriber.unsubscribe(channel);
    unsubscribed.catch(() => {
      // The connection is closing or reconnecting; a reconnect only resubscribes live channels.
    });
  }
}
