import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { accounts } from '../secrets/keychain';
import { fileNameFor, type AppServices } from '../services';
import { readPackageHeader, unpackPackage, type PackageInfo } from './package';

/**
 * Opens a package as a new workspace file in `folder` and makes it the current workspace. A redacted package
 * opens read-only (it has no key and no secrets); an encrypted one brings its data key into this keychain.
 */
export async function openPackage(
  s: AppServices,
  file: string,
  folder: string,
  passphrase?: string,
): Promise<{ workspacePath: string; package: PackageInfo }> {
  await s.guard.assert(folder, 'workspace');
  const { header } = await readPackageHeader(file);
  const suffix = header.kind === 'redacted' ? ' (review copy)' : '';
  const dest = join(folder, fileNameFor(`${header.workspaceName}${suffix}`));
  const { dataKey } = await unpackPackage(file, dest, passphrase);
  if (dataKey) {
    try {
      const account = accounts.workspaceKey(header.workspaceId);
      const existing = await s.keychain.get(account);
      const encoded = dataKey.toString('base64');
      if (existing !== null && existing !== encoded)
        throw new AppError(
          'workspace_exists',
          'This computer already holds a different key for a workspace with the same identity.',
          'Open the existing workspace instead, or remove it first.',
        );
      if (existing === null) await s.keychain.set(account, encoded);
    } finally {
      dataKey.fill(0);
    }
  }
  const ws = await s.openWorkspace(dest);
  return {
    workspacePath: ws.file,
    package: {
      kind: header.kind,
      workspaceName: header.workspaceName,
      createdAt: header.createdAt,
      counts: header.counts,
      path: file,
      bytes: header.payloadBytes,
    },
  };
}
