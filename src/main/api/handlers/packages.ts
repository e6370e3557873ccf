import { AppError } from '../../../shared/errors';
import { openPackage } from '../../pkg/open';
import { savePackage } from '../../pkg/package';
import { refreshReviewIfBehind } from './review';
import type { AppServices } from '../../services';
import type { Handlers } from '../dispatch';

type PackageHandlers = Pick<Handlers, 'package.save' | 'package.open'>;

export function packageHandlers(s: AppServices): PackageHandlers {
  return {
    'package.save': async ({ out, mode, passphrase }) => {
      const ws = s.requireWorkspace();
      // The reviewer's copy is read-only (and has no hashes): its findings and outcomes must be current before it
      // leaves, so a running refresh is waited for and a missing or stale one is run first.
      await refreshReviewIfBehind(s);
      if (mode === 'encrypted') {
        if (!passphrase) throw new AppError('invalid_input', 'An encrypted package needs a passphrase.');
        return savePackage(ws, out, { mode, passphrase });
      }
      return savePackage(ws, out, { mode });
    },
    'package.open': async ({ file, folder, passphrase }) => openPackage(s, file, folder, passphrase),
  };
}
