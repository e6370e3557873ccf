import { utilityProcess } from 'electron';
import type { SandboxLauncher } from '../rehearsal';

// In the packaged app Node's RunAsNode fuse is off, so a child Node process is not available: the rehearsal
// sandboxes run in an Electron utility process instead.
export const utilitySandboxLauncher: SandboxLauncher = (entry) => {
  const child = utilityProcess.fork(entry, [], { serviceName: 'Rehearsal sandboxes', stdio: 'ignore' });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.on('exit', (code) => l(code)),
    kill: () => void child.kill(),
  };
};
