import { toBase64Url } from "./base64url";
import { utf8 } from "./bytes";
import { agreeRoomKey, createKeyAgreement, KeyAgreementError, type KeyAgreement } from "./key-agreement";
import type { RoomKey } from "./room-key";

const COMMITMENT_PREFIX = "c.";

/** What one side publishes first: a hash of its public keys, which reveals nothing about them. */
export async function commitmentTo(publicKeys: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", utf8.encode(publicKeys));
  return COMMITMENT_PREFIX + toBase64Url(new Uint8Array(digest));
}

export const isCommitment = (value: string) => value.startsWith(COMMITMENT_PREFIX);

/** What the caller must do after a step: publish something, use the key, or give up. */
export interface ExchangeStep {
  /** Values to publish with `room.publishKeys`, in this order. */
  publish: string[];
  /** The room key, once the partner's keys matched their commitment. */
  key?: RoomKey;
  /**
   * The partner's commitment changed after this side had revealed its keys (a reload on their
   * side mid-exchange, or a server trying its luck): going on could let a server choose keys
   * with the codes in view, so this exchange is over.
   */
  failed?: "interrupted";
}

/**
 * A stranger chat's key exchange, commit-then-reveal. Each browser first publishes a commitment
 * (a hash of its public keys) and reveals the keys only once it holds the partner's commitment;
 * it accepts only partner keys that match that commitment. So the server must settle what each
 * side will receive before it learns that side's keys, and can no longer try key after key until
 * the two six-digit safety codes agree: a man in the middle has one chance in a million per chat.
 *
 * The server relays each side's latest value only; a partner's keys that arrive without their
 * commitment (this side arrived after they revealed) count as commitment and keys at once.
 */
export class KeyExchange {
  private partnerCommitment: string | null = null;
  private revealed = false;
  private done = false;

  private constructor(
    private readonly agreement: KeyAgreement,
    private readonly roomId: string,
  ) {}

  /** Fresh keys for this chat; publish `step.publish` (the commitment). */
  static async start(roomId: string): Promise<{ exchange: KeyExchange; step: ExchangeStep }> {
    const { agreement, publicKeys } = await createKeyAgreement();
    return { exchange: new KeyExchange(agreement, roomId), step: { publish: [await commitmentTo(publicKeys)] } };
  }

  /** The partner published `value` (a commitment or their public keys). */
  async receive(value: string): Promise<ExchangeStep> {
    if (this.done) return { publish: [] };
    const commitment = isCommitment(value) ? value : await commitmentTo(value);
    const step: ExchangeStep = { publish: [] };
    if (this.partnerCommitment === null) {
      this.partnerCommitment = commitment;
    } else if (commitment !== this.partnerCommitment) {
      // Ignoring it would leave the two sides on different keys; accepting it is the attack.
      this.done = true;
      return { publish: [], failed: "interrupted" };
    }
    if (!this.revealed) {
      this.revealed = true;
      step.publish.push(this.agreement.publicKeys);
    }
    if (!isCommitment(value)) {
      try {
        step.key = await agreeRoomKey(this.agreement, value, this.roomId);
        this.done = true;
      } catch (error) {
        if (!(error instanceof KeyAgreementError)) throw error;
        // Malformed keys under a matching commitment: nothing better will come from this partner.
        this.done = true;
        return { ...step, failed: "interrupted" };
      }
    }
    return step;
  }
}
