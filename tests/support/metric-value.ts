/** A sample's value in a Prometheus text scrape: the first line for `name`, labelled or not. */
export function metricValue(text: string, name: string): number {
  const line = text.split("\n").find((entry) => entry.startsWith(`${name} `) || entry.startsWith(`${name}{`));
  return line ? Number(line.split(" ").pop()) : Number.NaN;
}
