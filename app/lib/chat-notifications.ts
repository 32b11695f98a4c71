/**
 * Browser notifications for direct chats: asked for only when the person presses the button on
 * the chats page, never on load. They say who wrote, never what.
 */

/** `ask`: the browser has not been asked yet; `off`: allowed, but turned off here. */
export type NotificationSetting = "unsupported" | "ask" | "denied" | "on" | "off";

const STORAGE_KEY = "ephemera:chat-notifications";

function stored(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function store(value: "on" | "off"): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, value);
  } catch {
    // Not remembered: the setting holds for this page only.
  }
}

export function notificationSetting(): NotificationSetting {
  if (typeof window === "undefined" || typeof window.Notification === "undefined") return "unsupported";
  if (Notification.permission === "denied") return "denied";
  if (Notification.permission === "default") return "ask";
  return stored() === "off" ? "off" : "on";
}

/** Asks the browser if it has not been asked; on from now on if it allows. */
export async function turnNotificationsOn(): Promise<NotificationSetting> {
  if (notificationSetting() === "unsupported") return "unsupported";
  if (Notification.permission === "default") await Notification.requestPermission();
  if (Notification.permission === "granted") store("on");
  return notificationSetting();
}

export function turnNotificationsOff(): NotificationSetting {
  store("off");
  return notificationSetting();
}

/** "New message from bob", while this tab is hidden and notifications are on; a click comes back here. */
export function notifyNewMessage(partner: string, onClick: () => void): void {
  if (notificationSetting() !== "on" || document.visibilityState !== "hidden") return;
  try {
    const notification = new Notification(`New message from ${partner}`, { tag: `ephemera-chat-${partner}` });
    notification.onclick = () => {
      window.focus();
      notification.close();
      onClick();
    };
  } catch {
    // Some browsers (Chrome on Android) only show notifications from a service worker: none then.
  }
}
