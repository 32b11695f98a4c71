import { useEffect, useState } from "react";
import {
  notificationSetting,
  turnNotificationsOff,
  turnNotificationsOn,
  type NotificationSetting,
} from "~/lib/chat-notifications";
import { SECONDARY_BUTTON } from "./account-page";

/**
 * Notifications are this person's choice: the browser is asked only when they press the button,
 * never on load. Nothing shows where the browser has no notifications.
 */
export function ChatNotificationsButton() {
  // Read after mounting: the server's page, and the first render that must match it, show nothing.
  const [setting, setSetting] = useState<NotificationSetting>("unsupported");
  const [asking, setAsking] = useState(false);
  useEffect(() => setSetting(notificationSetting()), []);

  if (setting === "unsupported") return null;
  if (setting === "denied") {
    return <p className="text-xs text-zinc-400">Notifications are blocked in this browser’s settings.</p>;
  }
  if (setting === "on") {
    return (
      <button type="button" onClick={() => setSetting(turnNotificationsOff())} className={SECONDARY_BUTTON}>
        Turn off notifications
      </button>
    );
  }
  return (
    <button
      type="button"
      disabled={asking}
      title="“New message from …” while this tab is in the background; never the message itself"
      onClick={() => {
        setAsking(true);
        turnNotificationsOn()
          .then(setSetting, () => setSetting(notificationSetting()))
          .finally(() => setAsking(false));
      }}
      className={SECONDARY_BUTTON}
    >
      Turn on notifications
    </button>
  );
}
