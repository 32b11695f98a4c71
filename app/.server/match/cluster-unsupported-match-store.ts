import { TRPCError } from "@trpc/server";
import type { MatchStore } from "./types";

/** What a visitor (and a log) reads when the stranger queue cannot run here. */
export const STRANGERS_ON_CLUSTER_MESSAGE =
  "Chatting with a stranger is not available on this server yet: its stranger queue does not run on a Redis Cluster";

/**
 * The stranger queue on a Redis Cluster, until it runs there: pairing two visitors and creating
 * their room is one script over the queue's keys and the room's, which a Cluster keeps in
 * different slots (decision 025). Every step answers 501 with a sentence saying so, rather than
 * a script failing halfway with a 500; private rooms are unaffected.
 */
export class ClusterUnsupportedMatchStore implements MatchStore {
  private refuse(): Promise<never> {
    return Promise.reject(new TRPCError({ code: "NOT_IMPLEMENTED", message: STRANGERS_ON_CLUSTER_MESSAGE }));
  }

  find = () => this.refuse();
  cancel = () => this.refuse();
  state = () => this.refuse();
  end = () => this.refuse();
  hold = () => this.refuse();
  counts = () => this.refuse();
  hourStats = () => this.refuse();
  subscribe = () => this.refuse();

  async close(): Promise<void> {}
}
