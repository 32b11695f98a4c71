import { describe, expect, it } from "vitest";
import { KeyExchange } from "./crypto/key-exchange";
import { generateRoomKey, type RoomKey } from "./crypto/room-key";
import { safetyCode } from "./crypto/safety-code";
import { StrangerKeys } from "./stranger-keys";

const ROOM = "V1StGXR8_Z5jdHi6B-myT";

/**
 * The server's side of it: each seat's latest published value, relayed live to the other seat's
 * open stream, and sent to a stream when it opens.
 */
class Relay {
  private readonly latest = new Map<number, string>();
  private readonly streams = new Map<number, StrangerKeys>();
  readonly published: Array<[number, string]> = [];

  async publish(seat: number, value: string): Promise<void> {
    this.published.push([seat, value]);
    this.latest.set(seat, value);
    await this.streams.get(1 - seat)?.onPartnerKeys(value);
  }

  /** Opens `seat`'s stream: its page's keys get the partner's latest value, then live ones. */
  async open(seat: number, keys: StrangerKeys): Promise<void> {
    this.streams.set(seat, keys);
    const value = this.latest.get(1 - seat);
    if (value !== undefined) await keys.onPartnerKeys(value);
  }

  close(seat: number): void {
    this.streams.delete(seat);
  }
}

interface Side {
  keys: StrangerKeys;
  agreed: RoomKey[];
  failed: number;
}

function side(relay: Relay, seat: number, fragmentKey: RoomKey | null = null): Side {
  const result: Side = { keys: undefined as unknown as StrangerKeys, agreed: [], failed: 0 };
  result.keys = new StrangerKeys(
    {
      start: () => KeyExchange.start(ROOM),
      publish: (value) => relay.publish(seat, value),
      onKey: (key) => result.agreed.push(key),
      onFailed: () => {
        result.failed += 1;
      },
    },
    fragmentKey,
  );
  return result;
}

/** Lets every step and relayed value settle (each side's work feeds the other's). */
async function settle(...sides: Side[]): Promise<void> {
  for (let round = 0; round < 6; round += 1) await Promise.all(sides.map((one) => one.keys.idle()));
}

describe("a stranger chat's keys", () => {
  it("gives both sides one key and the same safety code, the second arriving after the first published", async () => {
    const relay = new Relay();
    const alice = side(relay, 0);
    await relay.open(0, alice.keys);
    await settle(alice);
    const bob = side(relay, 1);
    await relay.open(1, bob.keys);
    await settle(alice, bob);

    expect(alice.agreed).toHaveLength(1);
    expect(bob.agreed).toHaveLength(1);
    expect(alice.agreed[0]?.secret).toBe(bob.agreed[0]?.secret);
    expect(alice.keys.status).toBe("secured");
    const [aliceCode, bobCode] = await Promise.all([
      safetyCode(alice.agreed[0]?.secret ?? "", ROOM),
      safetyCode(bob.agreed[0]?.secret ?? "", ROOM),
    ]);
    expect(aliceCode).toMatch(/^\d{3} \d{3}$/);
    expect(aliceCode).toBe(bobCode);
    // Each side published its commitment, then its keys: nothing else.
    expect(relay.published.filter(([seat]) => seat === 0)).toHaveLength(2);
    expect(relay.published.filter(([seat]) => seat === 1)).toHaveLength(2);
  });

  it("agrees when both arrive at once", async () => {
    const relay = new Relay();
    const alice = side(relay, 0);
    const bob = side(relay, 1);
    await Promise.all([relay.open(0, alice.keys), relay.open(1, bob.keys)]);
    await settle(alice, bob);
    expect(alice.agreed.map((key) => key.secret)).toEqual(bob.agreed.map((key) => key.secret));
    expect(alice.agreed).toHaveLength(1);
  });

  it("does nothing with the key already in the fragment (a reload after agreeing)", async () => {
    const relay = new Relay();
    const alice = side(relay, 0);
    const bob = side(relay, 1);
    await Promise.all([relay.open(0, alice.keys), relay.open(1, bob.keys)]);
    await settle(alice, bob);
    const before = relay.published.length;

    relay.close(1);
    const reloaded = side(relay, 1, bob.agreed[0] ?? null);
    await relay.open(1, reloaded.keys);
    await settle(alice, reloaded);
    expect(reloaded.keys.status).toBe("secured");
    expect(reloaded.agreed).toEqual([]);
    expect(relay.published).toHaveLength(before);
    expect(alice.agreed).toHaveLength(1);
  });

  it("reports a failure when the partner starts over after this side revealed its keys", async () => {
    const relay = new Relay();
    const alice = side(relay, 0);
    await relay.open(0, alice.keys);
    // Bob publishes his commitment; Alice reveals; Bob's page reloads before it agrees.
    const bob = side(relay, 1);
    await settle(alice, bob);
    relay.close(1);
    const bobAgain = side(relay, 1);
    await relay.open(1, bobAgain.keys);
    await settle(alice, bobAgain);
    expect(alice.failed).toBe(1);
    expect(alice.keys.status).toBe("failed");
    expect(alice.agreed).toEqual([]);
  });

  it("reports a failure when the exchange cannot even start", async () => {
    let failed = 0;
    const keys = new StrangerKeys(
      {
        start: () => Promise.reject(new Error("no WebCrypto")),
        publish: async () => {},
        onKey: () => {},
        onFailed: () => {
          failed += 1;
        },
      },
      null,
    );
    await keys.idle();
    expect(failed).toBe(1);
    expect(keys.status).toBe("failed");
  });

  it("publishes in order even when the network is slow, and stops when told", async () => {
    const published: string[] = [];
    const keys = new StrangerKeys(
      {
        start: async () => ({
          exchange: { receive: async (value) => ({ publish: [`reveal-for-${value}`] }) },
          step: { publish: ["commitment"] },
        }),
        publish: async (value) => {
          await new Promise((resolve) => setTimeout(resolve, value === "commitment" ? 20 : 1));
          published.push(value);
        },
        onKey: () => {},
        onFailed: () => {},
      },
      null,
    );
    await keys.onPartnerKeys("c.partner");
    await keys.idle();
    expect(published).toEqual(["commitment", "reveal-for-c.partner"]);
    keys.stop();
    await keys.onPartnerKeys("c.other");
    await keys.idle();
    expect(published).toHaveLength(2);
  });

  it("ignores partner values with a fragment key, or once it has a key", async () => {
    const fragmentKey = await generateRoomKey();
    let received = 0;
    const keys = new StrangerKeys(
      {
        start: async () => {
          throw new Error("must not start");
        },
        publish: async () => {},
        onKey: () => {},
        onFailed: () => {
          received += 100;
        },
      },
      fragmentKey,
    );
    await keys.onPartnerKeys("c.anything");
    await keys.idle();
    expect(received).toBe(0);
    expect(keys.status).toBe("secured");
  });
});
