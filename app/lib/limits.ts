/** Limits shared by the server's validation and the browser's form hints. */
export const MESSAGE_MAX_LENGTH = 2000;
export const SENDER_MAX_LENGTH = 40;
export const TTL_MIN_SECONDS = 10;
export const TTL_MAX_SECONDS = 86_400;

export const TTL_CHOICES = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 600, label: "10 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
] as const;
export const DEFAULT_TTL_SECONDS = 600;
