import type { PublishedEvent } from "./rooms/types";

/**
 * One in-process fan-out per room (or account, for the chat directory): a map from its id to the
 * listeners on this instance. Both stores feed it (the memory store directly, the Redis store from
 * its one subscriber connection), so delivering an event costs one map lookup and a loop, not an
 * emitter per stream.
 */
export class LocalFanout<Event = PublishedEvent> {
  private readonly rooms = new Map<string, Set<(event: Event) => void>>();

  /** Adds a listener; returns whether it is the room's first on this instance. */
  add(roomId: string, listener: (event: Event) => void): boolean {
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
  remove(roomId: string, listener: (event: Event) => void): boolean {
    const listeners = this.rooms.get(roomId);
    if (!listeners) return false;
    listeners.delete(listener);
    if (listeners.size > 0) return false;
    this.rooms.delete(roomId);
    return true;
  }

  deliver(roomId: string, event: Event): void {
    const listeners = this.rooms.get(roomId);
    if (!listeners) return;
    for (const listener of listeners) listener(event);
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }
}
