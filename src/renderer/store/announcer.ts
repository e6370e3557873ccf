import { create } from 'zustand';

// One polite live region for the whole app: short confirmations a screen reader should hear
// ("Workspace created"). Errors use role="alert" where they appear instead.
interface AnnouncerState {
  message: string;
  announce(message: string): void;
}

export const useAnnouncer = create<AnnouncerState>()((set) => ({
  message: '',
  announce(message) {
    set({ message });
  },
}));
