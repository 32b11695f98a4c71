interface IssueLike {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

function issuesOf(cause: unknown): IssueLike[] | null {
  if (typeof cause !== "object" || cause === null || !("issues" in cause)) return null;
  const issues = (cause as { issues: unknown }).issues;
  return Array.isArray(issues) ? (issues as IssueLike[]) : null;
}

function fieldName(issue: IssueLike): string {
  const parts = (issue.path ?? []).map((part) =>
    typeof part === "object" && part !== null ? String(part.key) : String(part),
  );
  return parts.length > 0 ? parts.join(".") : "input";
}

/**
 * Turns a validation failure into one sentence naming each bad field ("text: must not be empty"),
 * plus a field → messages map for forms, instead of tRPC's default JSON dump of the issues.
 */
export function describeValidationError(cause: unknown): { message: string; fields: Record<string, string[]> } | null {
  const issues = issuesOf(cause);
  if (!issues || issues.length === 0) return null;
  const fields: Record<string, string[]> = {};
  for (const issue of issues) (fields[fieldName(issue)] ??= []).push(issue.message);
  const message = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join(", ")}`)
    .join("; ");
  return { message, fields };
}
