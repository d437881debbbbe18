const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "500ms", "30s", "15m", "4h", "1d" or a combination such as "1h30m" into milliseconds; null when invalid. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!/^(\d+(ms|s|m|h|d))+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return total;
}
