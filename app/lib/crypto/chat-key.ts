import type { AccountPublicKey } from "~/shared/direct-chats";
import { toBase64Url } from "./base64url";
import type { IdentityKeys } from "./identity-keys";
import { agreeRoomKey, KeyAgreementError, parsePublicKeys, type KeyAgreement } from "./key-agreement";
import type { RoomKey } from "./room-key";
import { safetyCode } from "./safety-code";

/** The account key both sides of a direct chat agree with. */
const AGREEMENT_ALGORITHM = "ECDH-P-256";

/**
 * This account's side of a direct chat's agreement: its P-256 pair alone. Every account has one
 * and every browser can use it, while its X25519 pair may be unusable in one of its browsers,
 * which would then arrive at another key than the partner's (agreeRoomKey prefers X25519).
 */
export function p256Agreement(identity: IdentityKeys): KeyAgreement {
  const own = parsePublicKeys(identity.agreement.publicKeys);
  if (!own) throw new KeyAgreementError("This account's own public keys are malformed");
  return { p256: identity.agreement.p256, x25519: null, publicKeys: `p256.${toBase64Url(own.p256)}` };
}

/** The partner's P-256 agreement key as agreeRoomKey reads it; none is an unusable account. */
export function partnerP256Keys(publicKeys: readonly AccountPublicKey[]): string {
  const found = publicKeys.find((key) => key.algorithm === AGREEMENT_ALGORITHM);
  if (!found) throw new KeyAgreementError("The partner's account has no P-256 agreement key");
  return `p256.${found.publicKey}`;
}

/**
 * The chat's key: ECDH between this account's private and the partner's public P-256 key, bound
 * to the chat. Both accounts arrive at the same one, whichever browser of theirs computes it.
 */
export function deriveChatKey(
  identity: IdentityKeys,
  partnerPublicKeys: readonly AccountPublicKey[],
  chatId: string,
): Promise<RoomKey> {
  return agreeRoomKey(p256Agreement(identity), partnerP256Keys(partnerPublicKeys), chatId);
}

/** The six digits both people compare: equal only when each holds the other's real public key. */
export function chatSafetyCode(chatKey: RoomKey, chatId: string): Promise<string> {
  return safetyCode(chatKey.secret, chatId);
}
