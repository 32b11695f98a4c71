import type { RoomState, SeatPresence, SeatReceipts } from "./types";

export interface PartnerPresence {
  here: boolean;
  lastSeen: number | null;
}

export interface PartnerReceipts {
  delivered: number;
  seen: number;
}

/**
 * One viewer's picture of "the partner": every other seat, folded into one presence and one pair
 * of receipt watermarks. A room holds two people at a time, but a seat given up with "Leave room"
 * is taken by a new seat number, and what the first partner read stays read.
 *
 * Each `update*` returns the folded state only when it changed, so a stream tells its client
 * about changes, not about every event (a resync re-reads the state and repeats nothing).
 */
export class PartnerView {
  // By seat. Plain objects with integer keys, not Maps: a stream holds its view for its tab's
  // life, and a Map's table is about 190 bytes even for the one partner it usually holds.
  private presence: Record<number, Omit<SeatPresence, "seat">> = {};
  private receipts: Record<number, Omit<SeatReceipts, "seat">> = {};
  private shownPresence: string | undefined;
  private shownReceipts: string | undefined;

  constructor(private readonly viewerSeat: number) {}

  isPartner(seat: number): boolean {
    return seat !== this.viewerSeat;
  }

  /** Replaces everything with a fresh read of the room. */
  load(state: RoomState): { presence: PartnerPresence | null; receipts: PartnerReceipts | null } {
    this.presence = {};
    this.receipts = {};
    for (const { seat, ...presence } of state.presence) if (this.isPartner(seat)) this.presence[seat] = presence;
    for (const { seat, ...receipts } of state.receipts) if (this.isPartner(seat)) this.receipts[seat] = receipts;
    return { presence: this.changedPresence(), receipts: this.changedReceipts() };
  }

  updatePresence(seat: number, presence: Omit<SeatPresence, "seat">): PartnerPresence | null {
    if (!this.isPartner(seat)) return null;
    this.presence[seat] = presence;
    return this.changedPresence();
  }

  /** A partner gave up their seat: they no longer count as here or absent. */
  removeSeat(seat: number): PartnerPresence | null {
    if (!this.isPartner(seat)) return null;
    delete this.presence[seat];
    return this.changedPresence();
  }

  updateReceipts(seat: number, receipts: Omit<SeatReceipts, "seat">): PartnerReceipts | null {
    if (!this.isPartner(seat)) return null;
    const before = this.receipts[seat] ?? { delivered: 0, seen: 0 };
    // Pub/sub may reorder nothing, but a resync read can race a live event: never go back.
    this.receipts[seat] = {
      delivered: Math.max(before.delivered, receipts.delivered),
      seen: Math.max(before.seen, receipts.seen),
    };
    return this.changedReceipts();
  }

  private changedPresence(): PartnerPresence | null {
    let here = false;
    let lastSeen: number | null = null;
    for (const seat of Object.values(this.presence)) {
      here ||= seat.here;
      if (seat.lastSeen !== null) lastSeen = Math.max(lastSeen ?? 0, seat.lastSeen);
    }
    const folded = { here, lastSeen };
    // While the partner is here, when they were last seen is not news.
    const key = here ? "here" : `away:${lastSeen}`;
    if (key === this.shownPresence) return null;
    this.shownPresence = key;
    return folded;
  }

  private changedReceipts(): PartnerReceipts | null {
    let delivered = 0;
    let seen = 0;
    for (const seat of Object.values(this.receipts)) {
      delivered = Math.max(delivered, seat.delivered);
      seen = Math.max(seen, seat.seen);
    }
    const key = `${delivered}:${seen}`;
    if (key === this.shownReceipts) return null;
    this.shownReceipts = key;
    return { delivered, seen };
  }
}
