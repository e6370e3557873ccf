import type { EventName } from '../shared/operations';
import type { EventPayload } from '../shared/contract';

export type EventListener = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

// Pushes main-side happenings (job progress, workspace changes) to whichever front end is attached.
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch {
        // A broken listener (a closed window) must not stop the others or the job that emitted.
      }
    }
  }
}
