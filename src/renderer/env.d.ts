import type { Api } from '../shared/contract';

declare global {
  interface Window {
    // Exposed by the preload (Electron) or by /__harness/api.js (UI tests); absent anywhere else.
    readonly api?: Api;
  }
}

export {};
