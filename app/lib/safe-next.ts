/**
 * Where to go after signing in: `next` when it is a path on this site, else the lobby. Anything
 * that could leave the site ("//evil.example", "/\\evil.example", "https://…") goes to the lobby.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  // Control characters and backslashes are where browsers and URL parsers disagree.
  if ([...next].some((character) => character === "\\" || character <= "\u001f" || character === "\u007f")) return "/";
  try {
    const base = "https://ephemera.invalid";
    const url = new URL(next, base);
    if (url.origin !== base) return "/";
    // The sign-in pages themselves would only send a signed-in visitor on again.
    if (url.pathname === "/signin" || url.pathname === "/signup") return "/";
    return url.pathname + url.search + url.hash;
  } catch {
    return "/";
  }
}
