import { customAlphabet } from "nanoid";
import { SENDER_MAX_LENGTH } from "~/shared/limits";

const ANIMALS = ["shark", "otter", "falcon", "lynx", "raven", "wolf", "panda", "koala", "gecko", "orca"];
const suffix = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 5);
const STORAGE_KEY = "ephemera:name";

/** An anonymous handle such as `shark-anonymous-8x2k1`. */
export function randomName(): string {
  const animal = ANIMALS[Math.floor(Math.random() * ANIMALS.length)] ?? "shark";
  return `${animal}-anonymous-${suffix()}`;
}

/** The visitor's display name, created on first visit and kept only in this browser. */
export function loadName(): string {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY)?.trim();
    if (stored) return stored.slice(0, SENDER_MAX_LENGTH);
    const name = randomName();
    window.localStorage.setItem(STORAGE_KEY, name);
    return name;
  } catch {
    // Storage can be disabled (private modes, strict settings): a name for this page still works.
    return randomName();
  }
}

export function saveName(name: string): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, name.slice(0, SENDER_MAX_LENGTH));
  } catch {
    // Not persisted; the name still applies to this page.
  }
}
