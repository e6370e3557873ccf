import { toAppError } from '../../shared/errors';
import { startSandboxes, type RunningSandboxes, type SandboxesOptions } from './index';

// Entry of the process that serves the sandboxes in rehearsal mode (built to out/main/sandbox-host.js). It runs
// as a Node child process (CLI, test harness) or an Electron utility process (the app), never in the renderer
// and never in the app's main process, so a busy sandbox cannot stall the window.
// Protocol: parent sends {type:'start', options}; child answers {type:'ready', description} or
// {type:'error', error}; {type:'stop'} or SIGTERM closes the servers and exits.

type Inbound = { type: 'start'; options: SandboxesOptions } | { type: 'stop' };
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (message: unknown) => (parentPort ? parentPort.postMessage(message) : process.send?.(message));

let running: RunningSandboxes | null = null;
async function stop(): Promise<never> {
  await running?.close();
  process.exit(0);
}

async function onMessage(message: Inbound): Promise<void> {
  if (message.type === 'stop') return void stop();
  if (message.type !== 'start' || running) return;
  try {
    running = await startSandboxes(message.options);
    const { tenantData: _tenant, close: _close, ...description } = running;
    send({ type: 'ready', description });
  } catch (err) {
    send({ type: 'error', error: toAppError(err).toJSON() });
    process.exit(1);
  }
}

if (parentPort) parentPort.on('message', (e) => void onMessage(e.data as Inbound));
else process.on('message', (m) => void onMessage(m as Inbound));
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// The parent went away (crash, kill): do not linger holding ports.
process.on('disconnect', () => void stop());
