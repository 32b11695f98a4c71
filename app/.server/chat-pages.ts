import type { ChatOpened } from "~/shared/direct-chats";

/**
 * What the chats pages' loaders need from the server. Refuses until direct chats are in place.
 */

/** Throws a redirect to sign-in when nobody is signed in. */
export async function chatsPageData(_request: Request): Promise<{ me: { username: string }; timerChoices: number[] }> {
  throw new Response("Not yet", { status: 503 });
}

/** Throws a redirect when nobody is signed in; 404, 403 or 400 when the chat cannot be opened. */
export async function chatPageData(_request: Request, _username: string): Promise<ChatOpened> {
  throw new Response("Not yet", { status: 503 });
}
