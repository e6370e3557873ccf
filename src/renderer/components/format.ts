// Small formatting helpers shared by the steps that show progress and ages.

export const count = (n: number | null | undefined): string => (n == null ? '—' : n.toLocaleString());

/** "about 40 s left", "about 3 min left", or null when unknown. */
export function etaText(seconds: number | null | undefined): string | null {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 90) return `about ${Math.ceil(seconds)} s left`;
  if (seconds < 90 * 60) return `about ${Math.ceil(seconds / 60)} min left`;
  return `about ${(seconds / 3600).toFixed(1)} h left`;
}

/** How long ago an ISO time was, in words: "just now", "4 min ago", "2 h ago", "3 days ago". */
export function ageText(iso: string, now: number): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 45) return 'just now';
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export const percent = (done: number, total: number | null | undefined): number | null =>
  total ? Math.min(100, Math.floor((done / total) * 100)) : null;
