import type { PublishedEvent, RoomEventListener } from "./types";

/**
 * One in-process fan-out per room: a map from room id to the listeners on this instance.
 * Both stores feed it (the memory store directly, the Redis store from its one subscriber
 * connection), so delivering an event costs one map lookup and a loop, not an emitter per stream.
 */
export class LocalFanout {
  private readonly rooms = new Map<string, Set<RoomEventListener>>();

  /** Adds a listener; returns whether it is the room's first on this instance. */
  add(roomId: string, listener: RoomEventListener): boolean {
    let listeners = this.rooms.get(roomId);
    const first = !listeners;
    if (!listeners) {
      listeners = new Set();
      this.rooms.set(roomId, listeners);
    }
    listeners.add(listener);
    return first;
  }

  /** Removes a listener; returns whether the room has no listener left on this instance. */
  remove(roomId: string, listener: RoomEventListener): boolean {
    const listeners = this.rooms.get(roomId);
    if (!listeners) return false;
    listeners.delete(listener);
    if (listeners.size > 0) return false;
    this.rooms.delete(roomId);
    return true;
  }

  deliver(roomId: string, event: PublishedEvent): void {
    const listeners = this.rooms.get(roomId);
    if (!listeners) return;
    for (const listener of listeners) listener(event);
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }
}
