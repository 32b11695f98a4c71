import type { ExchangeStep } from "./crypto/key-exchange";
import type { RoomKey } from "./crypto/room-key";

/** One side of the exchange in `crypto/key-exchange.ts`, as far as this controller uses it. */
export interface Exchange {
  receive: (value: string) => Promise<ExchangeStep>;
}

export interface StrangerKeysDeps {
  /** A fresh exchange (new key pair) and what to publish first (its commitment). */
  start: () => Promise<{ exchange: Exchange; step: ExchangeStep }>;
  /** `room.publishKeys`; retrying is its business. Values go out one after another, in order. */
  publish: (value: string) => Promise<void>;
  onKey: (key: RoomKey) => void;
  /** The exchange cannot finish (the partner started over after this side revealed, or cheated). */
  onFailed: () => void;
}

export type StrangerKeysStatus = "securing" | "secured" | "failed";

/**
 * Drives one browser's side of a stranger chat's key exchange over the room's stream: start it
 * (unless the fragment already holds the agreed key, after a reload), publish what each step says,
 * hand every `partner-keys` value to it, and report the key or the failure. Steps run one at a
 * time in order; publishing runs on its own line, so a slow network never holds up a partner's value.
 */
export class StrangerKeys {
  private exchange: Exchange | null = null;
  private chain: Promise<void> = Promise.resolve();
  private publishing: Promise<void> = Promise.resolve();
  private stopped = false;
  status: StrangerKeysStatus;

  constructor(
    private readonly deps: StrangerKeysDeps,
    fragmentKey: RoomKey | null,
  ) {
    this.status = fragmentKey ? "secured" : "securing";
    if (!fragmentKey) {
      this.run(async () => {
        let started: Awaited<ReturnType<StrangerKeysDeps["start"]>>;
        try {
          started = await this.deps.start();
        } catch {
          this.follow({ publish: [], failed: "interrupted" });
          return;
        }
        if (this.stopped) return;
        this.exchange = started.exchange;
        this.follow(started.step);
      });
    }
  }

  /** A `partner-keys` value (a commitment or public keys); resolves once it is dealt with. */
  onPartnerKeys(value: string): Promise<void> {
    return this.run(async () => {
      // With the key from the fragment there is nothing left to agree.
      if (!this.exchange || this.status !== "securing") return;
      let step: ExchangeStep;
      try {
        step = await this.exchange.receive(value);
      } catch {
        step = { publish: [], failed: "interrupted" };
      }
      this.follow(step);
    });
  }

  /** Resolves once every step asked for so far, publishing included, is done. */
  async idle(): Promise<void> {
    await this.chain;
    await this.publishing;
  }

  stop(): void {
    this.stopped = true;
  }

  private follow(step: ExchangeStep): void {
    if (this.stopped) return;
    for (const value of step.publish) {
      this.publishing = this.publishing
        .then(() => (this.stopped ? undefined : this.deps.publish(value)))
        .catch(() => {});
    }
    if (step.key) {
      this.status = "secured";
      this.deps.onKey(step.key);
    } else if (step.failed) {
      this.status = "failed";
      this.deps.onFailed();
    }
  }

  private run(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(() => (this.stopped ? undefined : step())).catch(() => {});
    return this.chain;
  }
}
