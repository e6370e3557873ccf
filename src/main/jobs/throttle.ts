/** Calls send at most once per interval; the latest value always gets through, on the trailing edge or on flush(). */
export function latestThrottle<T>(intervalMs: number, send: (value: T) => void) {
  let lastSentAt = -Infinity;
  let pending: { value: T } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    lastSentAt = Date.now();
    send(value);
  };
  return {
    push(value: T): void {
      pending = { value };
      const wait = lastSentAt + intervalMs - Date.now();
      // Checked on every push, not only by the timer: a job in a synchronous loop never lets the timer run.
      if (wait <= 0) flush();
      else timer ??= setTimeout(flush, wait);
    },
    flush,
  };
}
