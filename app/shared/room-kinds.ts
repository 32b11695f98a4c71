/**
 * `private`: shared by link; `match`: made for two strangers, whose seats were claimed for them;
 * `direct`: a chat between two accounts, seated by account, whose messages each expire on their own.
 */
export type RoomKind = "private" | "match" | "direct";
