import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import {
  createLocationGuard,
  findMount,
  parseMountTable,
  type LocationProbes,
  type LocationVerdict,
} from '../../../src/main/workspace';

const EXT4 = 0xef53;
const NFS = 0x6969;
const CIFS = 0xff534d42;
const SMB2 = 0xfe534d42;
const FUSE = 0x65735546;

// The real Linux mountinfo format, with a space escaped as \040 in one mount point.
const LINUX_MOUNTINFO = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '40 27 0:50 / /mnt/nfs rw,relatime - nfs4 fileserver:/export rw,vers=4.2',
  '41 27 0:51 / /mnt/share\\040drive rw,relatime - cifs //nas/share rw',
  '42 27 0:52 / /home/u/remote rw,nosuid - fuse.sshfs u@host:/srv rw,user_id=1000',
  '43 27 0:53 / /home/u/bucket rw,nosuid - fuse.rclone s3:bucket rw',
  '44 27 0:54 / /home/u/ntfs rw - fuseblk /dev/sdb1 rw',
  '45 40 254:0 /local /mnt/nfs/local-overlay rw - ext4 /dev/vda rw',
  '46 27 0:55 / /home/u/old rw - fuse sshfs#u@host:/srv rw',
].join('\n');

const PROC_MOUNTS = ['/dev/vda / ext4 rw 0 0', 'fileserver:/export /mnt/nfs nfs rw 0 0'].join('\n');

const MAC_MOUNT = [
  '/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)',
  '/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect)',
  '//alice@nas._smb._tcp.local/Team on /Volumes/Team (smbfs, nodev, nosuid, mounted by alice)',
  'fileserver:/export on /Volumes/nfs share (nfs, nodev, nosuid, mounted by alice)',
  'afp_0TQ on /Volumes/Old (afpfs, nodev, nosuid, mounted by alice)',
  'https://dav.example.com/ on /Volumes/dav (webdav, nodev, noexec, nosuid, mounted by alice)',
  'sshfs@macfuse0 on /Volumes/ssh (macfuse, nodev, nosuid, synchronous, mounted by alice)',
  '/dev/disk4s1 on /Volumes/USB (msdos, local, nodev, nosuid, noowners)',
].join('\n');

/** A fake machine: every directory in `dirs` exists; statfs and mounts answer from the tables given. */
function probes(
  over: Partial<LocationProbes> & { dirs?: string[]; links?: Record<string, string> } = {},
): Partial<LocationProbes> {
  const { dirs = [], links = {}, ...rest } = over;
  const platform = rest.platform ?? 'linux';
  const fold = (s: string) => (platform === 'win32' || platform === 'darwin' ? s.toLowerCase() : s);
  const known = new Set(dirs.map(fold));
  return {
    platform,
    homedir: () => '/home/u',
    env: {},
    statfsType: async () => EXT4,
    readMounts: async () => null,
    readTextFile: async () => null,
    driveType: async () => 'local',
    realpath: async (p: string) => {
      for (const [from, to] of Object.entries(links)) {
        if (p === from || p.startsWith(`${from}/`)) return to + p.slice(from.length);
      }
      if (known.has(fold(p)) || p === '/' || /^[A-Za-z]:\\?$/.test(p)) return p;
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
    ...rest,
  };
}

const refused = (v: LocationVerdict) => {
  expect(v.ok).toBe(false);
  return v as Extract<LocationVerdict, { ok: false }>;
};

describe('mount table parsing', () => {
  it('parses Linux mountinfo, unescaping mount points', () => {
    const m = parseMountTable(LINUX_MOUNTINFO, 'linux');
    expect(m).toHaveLength(9);
    expect(m[3]).toEqual({ mountPoint: '/mnt/share drive', fstype: 'cifs', source: '//nas/share' });
  });

  it('parses /proc/mounts', () => {
    expect(parseMountTable(PROC_MOUNTS, 'linux')[1]).toEqual({
      mountPoint: '/mnt/nfs',
      fstype: 'nfs',
      source: 'fileserver:/export',
    });
  });

  it('parses macOS mount output, including mount points with spaces', () => {
    const m = parseMountTable(MAC_MOUNT, 'darwin');
    expect(m).toHaveLength(8);
    expect(m[3]).toEqual({ source: 'fileserver:/export', mountPoint: '/Volumes/nfs share', fstype: 'nfs' });
    expect(m[2]!.fstype).toBe('smbfs');
  });

  it('finds the longest matching mount point, not a prefix of a name', () => {
    const m = parseMountTable(LINUX_MOUNTINFO, 'linux');
    expect(findMount(m, '/mnt/nfs/a/b')!.fstype).toBe('nfs4');
    expect(findMount(m, '/mnt/nfs/local-overlay/x')!.fstype).toBe('ext4');
    expect(findMount(m, '/mnt/nfsother')!.mountPoint).toBe('/');
    expect(findMount(m, '/proc')!.fstype).toBe('proc');
  });
});

describe('Linux', () => {
  it('accepts a local folder, including a file that does not exist yet', async () => {
    const g = createLocationGuard(probes({ dirs: ['/home/u/ws'], readMounts: async () => LINUX_MOUNTINFO }));
    expect(await g.check('/home/u/ws/new/deeper/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it.each([
    [NFS, 'NFS'],
    [CIFS, 'CIFS'],
    [SMB2, 'SMB2'],
    [0x517b, 'SMB'],
    [0x01021997, '9P'],
    [0x00c36400, 'Ceph'],
    [0x5346414f, 'AFS'],
    [0x73757245, 'Coda'],
    [0x564c, 'NCP'],
  ])('refuses statfs magic 0x%s (%s)', async (magic, name) => {
    const g = createLocationGuard(probes({ dirs: ['/data'], statfsType: async () => magic }));
    const v = refused(await g.check('/data/a.a2w.sqlite', 'workspace'));
    expect(v.kind).toBe('network');
    expect(v.reason).toContain(name);
    expect(v.reason).toContain('/data/a.a2w.sqlite');
  });

  it('checks statfs on the nearest existing ancestor', async () => {
    const seen: string[] = [];
    const g = createLocationGuard(probes({ dirs: ['/mnt/x'], statfsType: async (p) => (seen.push(p), NFS) }));
    refused(await g.check('/mnt/x/not/yet/a.a2w.sqlite', 'workspace'));
    expect(seen).toContain('/mnt/x');
  });

  it('refuses by mount table fstype when statfs says nothing', async () => {
    const g = createLocationGuard(
      probes({
        dirs: ['/mnt/nfs/proj', '/mnt/share drive'],
        statfsType: async () => null,
        readMounts: async () => LINUX_MOUNTINFO,
      }),
    );
    expect(refused(await g.check('/mnt/nfs/proj/a.a2w.sqlite', 'workspace')).reason).toMatch(
      /nfs4, mounted at \/mnt\/nfs/,
    );
    expect(refused(await g.check('/mnt/share drive/a.a2w.sqlite', 'workspace')).reason).toMatch(/cifs/);
    expect(await g.check('/mnt/nfs/local-overlay/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it('refuses FUSE mounts whose subtype is a network one, accepts local FUSE', async () => {
    const g = createLocationGuard(
      probes({
        dirs: ['/home/u/remote', '/home/u/bucket', '/home/u/ntfs', '/home/u/old'],
        statfsType: async () => FUSE,
        readMounts: async () => LINUX_MOUNTINFO,
      }),
    );
    expect(refused(await g.check('/home/u/remote/a.a2w.sqlite', 'workspace')).reason).toMatch(/fuse\.sshfs/);
    expect(refused(await g.check('/home/u/bucket/a.a2w.sqlite', 'workspace')).reason).toMatch(/fuse\.rclone/);
    expect(refused(await g.check('/home/u/old/a.a2w.sqlite', 'workspace')).reason).toMatch(/sshfs/);
    expect(await g.check('/home/u/ntfs/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it('resolves symlinks before looking at the file system', async () => {
    const g = createLocationGuard(
      probes({
        dirs: ['/mnt/nfs/proj'],
        links: { '/home/u/work': '/mnt/nfs/proj' },
        statfsType: async (p) => (p.startsWith('/mnt/nfs') ? NFS : EXT4),
      }),
    );
    const v = refused(await g.check('/home/u/work/a.a2w.sqlite', 'workspace'));
    expect(v.reason).toContain('/mnt/nfs/proj/a.a2w.sqlite');
  });

  it('refuses GNOME gvfs network mounts', async () => {
    const g = createLocationGuard(probes({ dirs: ['/run/user/1000/gvfs/smb-share:server=nas,share=team'] }));
    const v = refused(
      await g.check('/run/user/1000/gvfs/smb-share:server=nas,share=team/a.a2w.sqlite', 'workspace'),
    );
    expect(v.reason).toMatch(/smb-share/);
  });

  it('refuses ~/Dropbox and a Dropbox folder named in ~/.dropbox/info.json', async () => {
    const info = JSON.stringify({ business: { path: '/srv/corp-sync', host: 1 } });
    const g = createLocationGuard(
      probes({
        dirs: ['/home/u/Dropbox', '/srv/corp-sync/sub'],
        readTextFile: async (p) => (p === '/home/u/.dropbox/info.json' ? info : null),
      }),
    );
    expect(refused(await g.check('/home/u/Dropbox/a.a2w.sqlite', 'workspace')).kind).toBe('sync');
    const v = refused(await g.check('/srv/corp-sync/sub/a.a2w.sqlite', 'workspace'));
    expect(v.reason).toMatch(/inside a Dropbox folder/);
  });

  it('is case-sensitive on Linux for folder names', async () => {
    const g = createLocationGuard(probes({ dirs: ['/home/u/src/dropbox'] }));
    expect(await g.check('/home/u/src/dropbox/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it('explains why and names the default folder, in words for the hash file too', async () => {
    const g = createLocationGuard(
      probes({
        dirs: ['/mnt/n'],
        statfsType: async () => NFS,
        defaultFolder: '/home/u/.config/A2W/workspaces',
      }),
    );
    const ws = refused(await g.check('/mnt/n/a.a2w.sqlite', 'workspace'));
    expect(ws.reason).toMatch(/password hashes/);
    expect(ws.hint).toMatch(/user-data folder \(\/home\/u\/\.config\/A2W\/workspaces\)/);
    const hf = refused(await g.check('/mnt/n/hashes.json.gpg', 'hash file'));
    expect(hf.reason).toMatch(/^The hash file/);
    expect(hf.hint).toMatch(/Copy the file/);
  });

  it('assert throws location_refused with reason and hint', async () => {
    const g = createLocationGuard(probes({ dirs: ['/mnt/n'], statfsType: async () => CIFS }));
    const err = await g.assert('/mnt/n/a', 'workspace').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('location_refused');
    expect((err as AppError).hint).toMatch(/user-data folder/);
    await expect(
      createLocationGuard(probes({ dirs: ['/ok'] })).assert('/ok/a', 'workspace'),
    ).resolves.toBeUndefined();
  });
});

describe('macOS', () => {
  const mac = (over: Partial<LocationProbes> & { dirs?: string[]; links?: Record<string, string> } = {}) =>
    createLocationGuard(
      probes({
        platform: 'darwin',
        homedir: () => '/Users/alice',
        readMounts: async () => MAC_MOUNT,
        ...over,
      }),
    );

  it.each([
    ['/Volumes/Team/proj', 'smbfs'],
    ['/Volumes/nfs share/proj', 'nfs'],
    ['/Volumes/Old', 'afpfs'],
    ['/Volumes/dav', 'webdav'],
    ['/Volumes/ssh', 'macfuse'],
  ])('refuses %s (%s) from the mount table', async (dir, fstype) => {
    const v = refused(await mac({ dirs: [dir] }).check(`${dir}/a.a2w.sqlite`, 'workspace'));
    expect(v.kind).toBe('network');
    expect(v.reason).toContain(fstype);
  });

  it('does not use statfs magic numbers on macOS', async () => {
    const g = mac({ dirs: ['/Users/alice/ws'], statfsType: async () => NFS });
    expect(await g.check('/Users/alice/ws/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it('accepts a local disk and an external local volume', async () => {
    const g = mac({ dirs: ['/Users/alice/Migrations', '/Volumes/USB'] });
    expect(await g.check('/Users/alice/Migrations/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
    expect(await g.check('/Volumes/USB/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it.each([
    ['/Users/alice/Library/Mobile Documents/com~apple~CloudDocs/Work', 'iCloud Drive'],
    ['/Users/alice/Library/CloudStorage/iCloud Drive/Work', 'iCloud Drive'],
    ['/Users/alice/Library/CloudStorage/GoogleDrive-alice@example.com/My Drive', 'Google Drive'],
    ['/Users/alice/Library/CloudStorage/OneDrive-Contoso/Docs', 'OneDrive'],
    ['/Users/alice/Library/CloudStorage/Box-Box/Team', 'Box'],
    ['/Users/alice/Library/CloudStorage/Dropbox/Team', 'Dropbox'],
    ['/Users/alice/Library/CloudStorage/pCloud Drive', 'pCloud Drive'],
    ['/Users/alice/Box/Team', 'Box'],
    ['/Users/alice/Google Drive/x', 'Google Drive'],
    ['/Volumes/GoogleDrive/My Drive/x', 'Google Drive'],
  ])('refuses %s as %s', async (dir, provider) => {
    const v = refused(await mac({ dirs: [dir] }).check(`${dir}/a.a2w.sqlite`, 'workspace'));
    expect(v.kind).toBe('sync');
    expect(v.reason).toContain(provider);
    expect(v.reason).toMatch(/uploads its files/);
  });

  it('follows ~/Dropbox when it is a symlink into CloudStorage, and folds case', async () => {
    const g = mac({
      dirs: ['/Users/alice/Library/CloudStorage/Dropbox/x'],
      links: { '/Users/alice/Dropbox': '/Users/alice/Library/CloudStorage/Dropbox' },
    });
    expect(refused(await g.check('/Users/alice/Dropbox/x/a.a2w.sqlite', 'workspace')).reason).toContain(
      'Dropbox',
    );
    expect(
      refused(await mac({ dirs: [] }).check('/Users/alice/library/cloudstorage/onedrive-x/a', 'workspace'))
        .kind,
    ).toBe('sync');
  });
});

describe('Windows', () => {
  const win = (over: Partial<LocationProbes> & { dirs?: string[] } = {}) =>
    createLocationGuard(
      probes({
        platform: 'win32',
        homedir: () => 'C:\\Users\\alice',
        env: {},
        statfsType: async () => NFS, // must be ignored on Windows
        readMounts: async () => LINUX_MOUNTINFO, // must be ignored on Windows
        ...over,
      }),
    );

  it('accepts a local folder', async () => {
    const g = win({ dirs: ['C:\\Users\\alice\\AppData\\Roaming\\A2W'] });
    expect(await g.check('C:\\Users\\alice\\AppData\\Roaming\\A2W\\a.a2w.sqlite', 'workspace')).toEqual({
      ok: true,
    });
  });

  it.each([
    '\\\\fileserver\\team\\migr\\a.a2w.sqlite',
    '//fileserver/team/migr/a.a2w.sqlite',
    '\\\\?\\UNC\\fileserver\\team\\a.a2w.sqlite',
  ])('refuses the UNC path %s', async (p) => {
    const v = refused(await win().check(p, 'workspace'));
    expect(v.kind).toBe('network');
    expect(v.reason).toMatch(/Windows network share \(\\\\fileserver\\team\)/);
  });

  it('accepts a local long path (\\\\?\\C:\\...)', async () => {
    expect(await win().check('\\\\?\\C:\\data\\a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it('refuses a mapped network drive, asks about the right letter, and is safe when the probe is unsure', async () => {
    const asked: string[] = [];
    const g = win({ driveType: async (l) => (asked.push(l), l === 'Z' ? 'remote' : 'unknown') });
    const v = refused(await g.check('z:\\projects\\a.a2w.sqlite', 'workspace'));
    expect(v.reason).toMatch(/mapped network drive Z:/);
    expect(asked).toContain('Z');
    expect(await g.check('D:\\projects\\a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it('refuses a path whose real path resolves to a UNC share', async () => {
    const g = win({
      realpath: async (p) => {
        if (p.toLowerCase().startsWith('m:\\')) return `\\\\?\\UNC\\nas\\home${p.slice(2)}`;
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
    });
    expect(refused(await g.check('M:\\x\\a.a2w.sqlite', 'workspace')).reason).toMatch(/\\\\nas\\home/);
  });

  it.each([
    ['C:\\Users\\alice\\OneDrive\\Documents', 'OneDrive'],
    ['C:\\Users\\alice\\OneDrive - Contoso Ltd\\Migr', 'OneDrive'],
    ['C:\\Users\\alice\\Dropbox (Personal)\\x', 'Dropbox'],
    ['C:\\Users\\alice\\iCloudDrive\\x', 'iCloud Drive'],
    ['G:\\My Drive\\migr', 'Google Drive'],
    ['C:\\Users\\alice\\Box\\x', 'Box'],
    ['C:\\Users\\alice\\box sync\\x', 'Box'],
  ])('refuses %s as %s', async (dir, provider) => {
    const v = refused(await win({ dirs: [dir] }).check(`${dir}\\a.a2w.sqlite`, 'workspace'));
    expect(v.kind).toBe('sync');
    expect(v.reason).toContain(provider);
  });

  it('refuses folders named by the OneDrive environment variables and Dropbox info.json under APPDATA', async () => {
    const g = win({
      env: { OneDriveCommercial: 'D:\\Sync\\Corp', APPDATA: 'C:\\Users\\alice\\AppData\\Roaming' },
      readTextFile: async (p) =>
        p === 'C:\\Users\\alice\\AppData\\Roaming\\Dropbox\\info.json'
          ? JSON.stringify({ personal: { path: 'E:\\DBX' } })
          : null,
    });
    expect(refused(await g.check('d:\\sync\\corp\\x\\a.a2w.sqlite', 'workspace')).reason).toContain(
      'OneDrive',
    );
    expect(refused(await g.check('E:\\DBX\\a.a2w.sqlite', 'workspace')).reason).toContain('Dropbox');
    expect(await g.check('D:\\Sync\\Other\\a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });
});
