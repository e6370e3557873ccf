import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { eventNames, ipcChannel, operationNames } from '../shared/operations';

// The renderer's only door to main: invoke(operation, input) and on(event, listener), restricted to the names
// in the contract. No ipcRenderer, no process, no Node.
const operations = new Set<string>(operationNames);
const events = new Set<string>(eventNames);

contextBridge.exposeInMainWorld('api', {
  invoke(name: string, input: unknown) {
    if (!operations.has(name)) {
      return Promise.resolve({ ok: false, error: { code: 'invalid_input', message: 'Unknown operation.' } });
    }
    return ipcRenderer.invoke(ipcChannel.invoke, name, input);
  },
  on(name: string, listener: (payload: unknown) => void) {
    if (!events.has(name) || typeof listener !== 'function') return () => {};
    const wrapped = (_e: IpcRendererEvent, eventName: string, payload: unknown) => {
      if (eventName === name) listener(payload);
    };
    ipcRenderer.on(ipcChannel.event, wrapped);
    return () => ipcRenderer.removeListener(ipcChannel.event, wrapped);
  },
  // A dropped file's path, so that the admin can drop Auth0's support file onto the Passwords step. Only File
  // objects from the page's own drop events have one; anything else gives an empty string.
  pathForFile(file: unknown) {
    try {
      return webUtils.getPathForFile(file as File);
    } catch {
      return '';
    }
  },
});
