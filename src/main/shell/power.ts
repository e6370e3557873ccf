import { powerSaveBlocker } from 'electron';
import type { EventBus } from '../events';

// Keeps the machine awake while a job runs (jobs are the long work: an import at WorkOS's rate limits takes hours
// at scale, and a sleeping laptop would stall it and let WorkOS drift from the plan). Released when none runs.

export function keepAwakeDuringJobs(events: EventBus): () => void {
  const running = new Set<string>();
  let blocker: number | null = null;
  const sync = () => {
    if (running.size > 0 && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
    if (running.size === 0 && blocker !== null) {
      powerSaveBlocker.stop(blocker);
      blocker = null;
    }
  };
  const off = events.on((name, payload) => {
    if (name !== 'job.progress') return;
    const job = payload as { id: string; state: string };
    if (job.state === 'running' || job.state === 'queued') running.add(job.id);
    else running.delete(job.id);
    sync();
  });
  return () => {
    off();
    running.clear();
    sync();
  };
}
