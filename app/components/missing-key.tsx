import { useEffect, useRef, useState } from "react";
import { keyFromFragment } from "~/lib/crypto/room-key";
import { trpc } from "~/lib/trpc";

type SeatState = "giving-back" | "given-back" | "not-given-back";

export type KeyProblem = "missing" | "damaged" | "wrong";

const TITLE: Record<KeyProblem, string> = {
  missing: "This link is missing its key",
  damaged: "This link's key is damaged",
  wrong: "This link's key is wrong",
};

/**
 * A private room opened without the key its link carries after `#`, with only part of it, or with
 * a key that is not this room's: nothing in it could be read, and nothing written here could be
 * read by the other person. A visit that just took a seat gives it back (once, as unread), so the
 * person the link was meant for can still get in and read everything; a member who only lost the
 * fragment keeps theirs.
 */
export function MissingKey({ roomId, joined, problem }: { roomId: string; joined: boolean; problem: KeyProblem }) {
  const leave = trpc.room.leave.useMutation();
  const asked = useRef(false);
  const [seat, setSeat] = useState<SeatState>("giving-back");

  useEffect(() => {
    if (!joined || asked.current) return;
    asked.current = true;
    leave.mutateAsync({ roomId, unread: true }).then(
      () => setSeat("given-back"),
      () => setSeat("not-given-back"),
    );
  }, [joined, roomId, leave]);

  useEffect(() => {
    // The whole link pasted into this tab is only a change of fragment: load the room properly
    // (the seat given back is taken again), now that the key is there.
    const onHashChange = () => {
      if (keyFromFragment(window.location.hash)) window.location.reload();
    };
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
  }, []);

  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 px-5 py-10">
      <h1 className="text-xl font-bold text-amber-300">{TITLE[problem]}</h1>
      <p className="text-zinc-300">
        Messages in this room are end-to-end encrypted. The key that unlocks them is the part of the link after the{" "}
        <strong className="text-zinc-100">#</strong>
        {problem === "missing"
          ? ", and the link you opened does not have it, so nothing here can be read."
          : problem === "damaged"
            ? ", and in the link you opened that part is cut short or altered, so nothing here can be read."
            : ". The link you opened has a key there, but not this room's: nothing here could be read with it, and nothing you wrote could be read by the other person."}
      </p>
      {joined ? (
        <>
          <p className="text-zinc-300">Ask the person who sent it for the whole link, exactly as they copied it.</p>
          <p role="status" className="text-sm text-zinc-400">
            {seat === "giving-back"
              ? "Giving your seat back…"
              : seat === "given-back"
                ? "We gave your seat back, so the person this link was meant for can still join."
                : "We could not give your seat back; it frees itself when the room ends."}
          </p>
        </>
      ) : (
        <p className="text-zinc-300">
          You already have a seat in this room: open the full link again, with its part after the #, to get back in. If
          you no longer have it, ask the other person to send it again.
        </p>
      )}
      <a className="text-emerald-400 underline" href="/">
        Back to the lobby
      </a>
    </main>
  );
}
