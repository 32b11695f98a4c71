/** `private`: shared by link; `match`: made for two strangers, whose seats were claimed for them. */
export type RoomKind = "private" | "match";
