// The names of every IPC operation and event. The preload imports only this file (no zod in the sandboxed
// preload); src/shared/contract.ts gives each name its schemas and is checked to cover exactly this list.
export const operationNames = [
  'app.info',
  'app.openExternal',
  'workspace.create',
  'workspace.open',
  'workspace.close',
  'workspace.current',
  'workspace.recent',
  'workspace.forget',
  'workspace.defaultFolder',
  'workspace.chooseFolder',
  'workspace.chooseFile',
  'wizard.status',
  'credentials.status',
  'credentials.setAuth0',
  'credentials.setWorkos',
  'credentials.delete',
  'credentials.test',
  'rehearsal.start',
  'rehearsal.status',
  'rehearsal.resume',
  'rehearsal.stop',
  'jobs.list',
  'jobs.pause',
  'jobs.resume',
  'jobs.cancel',
  'export.start',
  'export.status',
  'passwords.inspect',
  'passwords.merge',
  'passwords.resume',
  'passwords.status',
  'passwords.list',
  'passwords.keys',
  'passwords.forgetKey',
  'passwords.removePlaintext',
] as const;
export type OperationName = (typeof operationNames)[number];

export const eventNames = ['job.progress', 'workspace.changed'] as const;
export type EventName = (typeof eventNames)[number];

export const ipcChannel = {
  invoke: 'api:invoke',
  event: 'api:event',
} as const;
