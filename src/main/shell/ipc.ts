import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { AppError } from '../../shared/errors';
import { ipcChannel } from '../../shared/operations';
import type { Dispatcher } from '../api/dispatch';
import type { EventBus } from '../events';
import type { AppWindow } from './window';

// One channel carries every operation; the dispatcher validates the name and input against the contract.
// A call from any frame other than the app's own top-level page is refused before it reaches a handler.
export function bindIpc(
  dispatch: Dispatcher,
  events: EventBus,
  getWindow: () => AppWindow | null,
): () => void {
  const fromApp = (event: IpcMainInvokeEvent) => {
    const w = getWindow();
    const frame = event.senderFrame;
    return Boolean(
      w &&
      event.sender === w.window.webContents &&
      frame &&
      frame === event.sender.mainFrame &&
      w.isAppUrl(frame.url),
    );
  };
  ipcMain.handle(ipcChannel.invoke, async (event, name: unknown, input: unknown) => {
    if (!fromApp(event)) {
      return {
        ok: false,
        error: new AppError(
          'forbidden_sender',
          'Call refused: it did not come from the app window.',
        ).toJSON(),
      };
    }
    return dispatch(typeof name === 'string' ? name : '', input);
  });
  const off = events.on((name, payload) => {
    const w = getWindow();
    if (w && !w.window.isDestroyed()) w.window.webContents.send(ipcChannel.event, name, payload);
  });
  return () => {
    ipcMain.removeHandler(ipcChannel.invoke);
    off();
  };
}
