import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../shared/errors';

// Refuses workspaces (and files of password hashes) on network file systems and inside cloud-sync folders.
// Hashes on a shared server can be read or copied by others, a sync client uploads them to a provider, and
// SQLite's locking is unreliable on network file systems. Everything machine-specific comes through probes so
// each platform branch can be tested on any machine.

export type LocationVerdict =
  { ok: true } | { ok: false; kind: 'network' | 'sync'; reason: string; hint: string };

export type DriveKind = 'remote' | 'local' | 'unknown';

export interface LocationProbes {
  platform: NodeJS.Platform;
  /** Resolves symlinks; rejects for a path that does not exist. */
  realpath(p: string): Promise<string>;
  /** Linux statfs f_type magic number, or null when unknown. */
  statfsType(p: string): Promise<number | null>;
  /** /proc/self/mountinfo (or /proc/mounts) text on Linux, `mount` output on macOS, null elsewhere or on failure. */
  readMounts(): Promise<string | null>;
  homedir(): string;
  env: Record<string, string | undefined>;
  /** Windows: whether a drive letter is a mapped network drive. */
  driveType?(letter: string): Promise<DriveKind>;
  /** Reads a small text file (Dropbox's info.json); null when absent or unreadable. */
  readTextFile?(p: string): Promise<string | null>;
  /** Named in hints as the safe place to choose, e.g. the app's user-data folder. */
  defaultFolder?: string;
}

export interface LocationGuard {
  check(p: string, what: 'workspace' | 'hash file'): Promise<LocationVerdict>;
  /** Throws AppError('location_refused', reason, hint) when check refuses. */
  assert(p: string, what: 'workspace' | 'hash file'): Promise<void>;
}

// ---- Linux statfs magic numbers of network file systems (linux/magic.h and the file systems' own headers).
const NETWORK_MAGIC = new Map<number, string>([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x5346414f, 'AFS'],
  [0x6b414653, 'AFS'],
  [0x73757245, 'Coda'],
  [0x564c, 'NCP'],
  [0x01021997, '9P'],
  [0x00c36400, 'Ceph'],
  [0x0bd00bd0, 'Lustre'],
  [0x47504653, 'GPFS'],
  [0x20030528, 'OrangeFS'],
  [0x19830326, 'BeeGFS'],
]);
export const FUSE_MAGIC = 0x65735546;

// File system types (mount table) that are network file systems on Linux or macOS.
const NETWORK_FSTYPES = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb',
  'smb2',
  'smb3',
  'smbfs',
  'ncp',
  'ncpfs',
  'afs',
  'coda',
  '9p',
  'ceph',
  'glusterfs',
  'lustre',
  'gpfs',
  'beegfs',
  'orangefs',
  'pvfs2',
  'davfs',
  'webdav',
  'afpfs',
  'ftp',
  'sshfs',
  'curlftpfs',
  's3fs',
  'rclone',
  'gcsfuse',
]);

// FUSE subtypes (fuse.<subtype> on Linux; the mount source on macOS) that reach over the network.
const NETWORK_FUSE = new Set([
  'sshfs',
  'rclone',
  's3fs',
  'gcsfuse',
  'goofys',
  'geesefs',
  'juicefs',
  'glusterfs',
  'ceph-fuse',
  'cephfs',
  'davfs',
  'davfs2',
  'wdfs',
  'curlftpfs',
  'afpfs',
  'smbnetfs',
  'fusesmb',
  'mfs',
  'lizardfs',
  'seaweedfs',
  'cvmfs',
  'onedriver',
  'google-drive-ocamlfuse',
  'blobfuse',
  'blobfuse2',
  'mountpoint-s3',
  'httpfs',
]);
const MAC_FUSE_TYPES = new Set(['macfuse', 'osxfuse', 'osxfusefs', 'fuse-t', 'fusefs']);

export interface MountEntry {
  mountPoint: string;
  fstype: string;
  source: string;
}

const unescapeOctal = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Parses /proc/self/mountinfo, /proc/mounts, or macOS `mount` output; lines it does not understand are skipped. */
export function parseMountTable(text: string, platform: NodeJS.Platform): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (platform === 'darwin') {
      // "//user@server/share on /Volumes/share (smbfs, nodev, nosuid, mounted by user)"
      const m = /^(.*?) on (.+) \(([^,()]+)(?:,[^()]*)?\)\s*$/.exec(line);
      if (m) out.push({ source: m[1]!, mountPoint: m[2]!, fstype: m[3]!.trim().toLowerCase() });
      continue;
    }
    const sep = line.indexOf(' - ');
    if (sep >= 0) {
      // mountinfo: "36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw"
      const before = line.slice(0, sep).split(' ');
      const after = line.slice(sep + 3).split(' ');
      if (before.length >= 5 && after.length >= 2) {
        out.push({
          mountPoint: unescapeOctal(before[4]!),
          fstype: after[0]!.toLowerCase(),
          source: unescapeOctal(after[1]!),
        });
      }
      continue;
    }
    // /proc/mounts: "server:/export /mnt nfs4 rw,relatime 0 0"
    const f = line.split(' ');
    if (f.length >= 3)
      out.push({
        source: unescapeOctal(f[0]!),
        mountPoint: unescapeOctal(f[1]!),
        fstype: f[2]!.toLowerCase(),
      });
  }
  return out;
}

/** The mount that holds `p`: the longest matching mount point; of equal ones the last, which hides the others. */
export function findMount(mounts: readonly MountEntry[], p: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint.length > 1 ? m.mountPoint.replace(/\/+$/, '') : m.mountPoint;
    const inside = mp === '/' ? p.startsWith('/') : p === mp || p.startsWith(`${mp}/`);
    if (inside && (!best || mp.length >= best.mountPoint.replace(/\/+$/, '').length)) best = m;
  }
  return best;
}

/** Whether a mount table entry is a network file system; returns a name for messages, or null. */
export function networkFsName(entry: MountEntry, platform: NodeJS.Platform): string | null {
  const t = entry.fstype;
  if (NETWORK_FSTYPES.has(t)) return t;
  if (t.startsWith('fuse.') && NETWORK_FUSE.has(t.slice(5))) return t;
  const src = entry.source.toLowerCase();
  const srcTool = /^([a-z0-9-]+)[#@:]/.exec(src)?.[1];
  // Older FUSE mounts name the tool in the source ("sshfs#user@host:/dir"); macFUSE puts it there too.
  if (
    (t === 'fuse' || t === 'fuseblk' || (platform === 'darwin' && MAC_FUSE_TYPES.has(t))) &&
    srcTool &&
    NETWORK_FUSE.has(srcTool)
  ) {
    return `${t} (${srcTool})`;
  }
  return null;
}

// ---- cloud-sync folders
interface SyncRoot {
  provider: string;
  root: string;
}

const SYNC_SEGMENTS: Array<[RegExp, string]> = [
  [/^Dropbox( \(.+\))?$/, 'Dropbox'],
  [/^OneDrive( - .+)?$/, 'OneDrive'],
  [/^Google ?Drive$/, 'Google Drive'],
  [/^GoogleDrive-.+$/, 'Google Drive'],
  [/^My Drive$/, 'Google Drive'],
  [/^iCloud ?Drive$/, 'iCloud Drive'],
  [/^com~apple~CloudDocs$/, 'iCloud Drive'],
  [/^Box Sync$/, 'Box'],
  [/^Box-.+$/, 'Box'],
];

function cloudStorageProvider(entry: string): string {
  if (/^Dropbox/i.test(entry)) return 'Dropbox';
  if (/^OneDrive/i.test(entry)) return 'OneDrive';
  if (/^GoogleDrive/i.test(entry)) return 'Google Drive';
  if (/^Box/i.test(entry)) return 'Box';
  if (/^iCloud/i.test(entry)) return 'iCloud Drive';
  return `a cloud storage provider (${entry})`;
}

function dropboxRoots(infoJson: string | null): string[] {
  if (!infoJson) return [];
  try {
    const info = JSON.parse(infoJson) as Record<string, { path?: unknown } | undefined>;
    return Object.values(info)
      .map((v) => v?.path)
      .filter((p): p is string => typeof p === 'string' && p.length > 0);
  } catch {
    return [];
  }
}

// ---- default probes: the real machine
const execFileAsync = promisify(execFile);

async function realDriveType(letter: string): Promise<DriveKind> {
  if (!/^[A-Za-z]$/.test(letter)) return 'unknown';
  try {
    const { stdout } = await execFileAsync(
      'powershell.exe',
      ['-NoProfile', '-NonInteractive', '-Command', `[System.IO.DriveInfo]::new('${letter}').DriveType`],
      { timeout: 5000, windowsHide: true },
    );
    const t = stdout.trim();
    if (t === 'Network') return 'remote';
    if (['Fixed', 'Removable', 'CDRom', 'Ram'].includes(t)) return 'local';
    return 'unknown';
  } catch {
    return 'unknown';
  }
}

export function realProbes(): LocationProbes {
  const platform = process.platform;
  return {
    platform,
    realpath: (p) => fsp.realpath(p),
    statfsType: async (p) => {
      if (platform !== 'linux') return null; // f_type numbers mean nothing stable elsewhere
      try {
        return (await fsp.statfs(p)).type >>> 0;
      } catch {
        return null;
      }
    },
    readMounts: async () => {
      try {
        if (platform === 'linux') {
          return await fsp
            .readFile('/proc/self/mountinfo', 'utf8')
            .catch(() => fsp.readFile('/proc/mounts', 'utf8'));
        }
        if (platform === 'darwin') return (await execFileAsync('/sbin/mount', [], { timeout: 5000 })).stdout;
      } catch {
        // fall through: no mount table, the other checks still run
      }
      return null;
    },
    homedir: () => homedir(),
    env: process.env,
    driveType: realDriveType,
    readTextFile: (p) => fsp.readFile(p, 'utf8').catch(() => null),
  };
}

// ---- the guard
export function createLocationGuard(probes: Partial<LocationProbes> = {}): LocationGuard {
  const pr: LocationProbes = { ...realProbes(), ...probes };
  const win = pr.platform === 'win32';
  const P = win ? path.win32 : path.posix;
  const foldCase = win || pr.platform === 'darwin';
  const norm = (s: string) => (foldCase ? s.toLowerCase() : s);
  const isInside = (p: string, root: string) => {
    const rel = P.relative(norm(root), norm(p));
    return rel === '' || (!rel.startsWith('..') && !P.isAbsolute(rel));
  };

  async function nearestExisting(abs: string): Promise<{ resolved: string; tail: string[] }> {
    const tail: string[] = [];
    let cur = abs;
    for (;;) {
      try {
        return { resolved: await pr.realpath(cur), tail };
      } catch {
        const parent = P.dirname(cur);
        if (parent === cur) return { resolved: abs, tail: [] };
        tail.unshift(P.basename(cur));
        cur = parent;
      }
    }
  }

  // `pathOnly`: judge by the spelling of the path alone (for a path that is not the resolved one).
  async function networkReason(dir: string, pathOnly = false): Promise<string | null> {
    if (win) {
      const unc =
        /^\\\\\?\\UNC\\([^\\]+)\\([^\\]+)/i.exec(dir) ?? /^\\\\(?![?.]\\)([^\\]+)\\([^\\]+)/.exec(dir);
      if (unc) return `a Windows network share (\\\\${unc[1]}\\${unc[2]})`;
      const drive = /^(?:\\\\[?.]\\)?([A-Za-z]):/.exec(dir)?.[1];
      if (drive && pr.driveType && (await pr.driveType(drive.toUpperCase())) === 'remote') {
        return `the mapped network drive ${drive.toUpperCase()}:`;
      }
      return null;
    }
    if (pr.platform === 'linux') {
      const gvfs = /\/gvfs\/((?:smb-share|sftp|ftp|dav|davs|afp-volume|nfs|google-drive|onedrive)):/.exec(
        dir,
      );
      if (gvfs) return `a GNOME network mount (${gvfs[1]})`;
    }
    if (pathOnly) return null;
    const magic = pr.platform === 'linux' ? await pr.statfsType(dir) : null;
    if (magic !== null && NETWORK_MAGIC.has(magic))
      return `a network file system (${NETWORK_MAGIC.get(magic)})`;
    const table = await pr.readMounts();
    if (table) {
      const mount = findMount(parseMountTable(table, pr.platform), dir);
      const name = mount && networkFsName(mount, pr.platform);
      if (name) return `a network file system (${name}, mounted at ${mount.mountPoint})`;
    }
    return null;
  }

  async function syncProvider(full: string): Promise<string | null> {
    const home = pr.homedir();
    const homes = [home];
    try {
      const real = await pr.realpath(home);
      if (real !== home) homes.push(real);
    } catch {
      // a missing home folder only removes the home-relative checks
    }
    const roots: SyncRoot[] = [];
    for (const h of homes) {
      roots.push({ provider: 'iCloud Drive', root: P.join(h, 'Library', 'Mobile Documents') });
      roots.push({ provider: 'Box', root: P.join(h, 'Box') });
      roots.push({ provider: 'Box', root: P.join(h, 'Box Sync') });
      roots.push({ provider: 'iCloud Drive', root: P.join(h, 'iCloudDrive') });
      roots.push({ provider: 'Google Drive', root: P.join(h, 'Google Drive') });
    }
    for (const name of ['OneDrive', 'OneDriveCommercial', 'OneDriveConsumer']) {
      const v = pr.env[name];
      if (v && P.isAbsolute(v)) roots.push({ provider: 'OneDrive', root: v });
    }
    if (pr.readTextFile) {
      const infoFiles = [P.join(home, '.dropbox', 'info.json')];
      for (const v of [pr.env.APPDATA, pr.env.LOCALAPPDATA])
        if (win && v) infoFiles.push(P.join(v, 'Dropbox', 'info.json'));
      for (const f of infoFiles) {
        for (const root of dropboxRoots(await pr.readTextFile(f))) roots.push({ provider: 'Dropbox', root });
      }
    }
    for (const r of roots) if (isInside(full, r.root)) return r.provider;

    // ~/Library/CloudStorage/<Provider-Account>/...: every File Provider sync folder on macOS lives there.
    for (const h of homes) {
      const cloud = P.join(h, 'Library', 'CloudStorage');
      if (isInside(full, cloud)) {
        const entry = P.relative(norm(cloud), norm(full)).split(P.sep)[0];
        const original = full.split(/[\\/]/).find((s) => norm(s) === entry);
        return entry ? cloudStorageProvider(original ?? entry) : 'a cloud storage provider';
      }
    }
    for (const seg of full.split(win ? /[\\/]/ : '/')) {
      for (const [re, provider] of SYNC_SEGMENTS) {
        if (new RegExp(re.source, foldCase ? 'i' : '').test(seg)) return provider;
      }
    }
    return null;
  }

  const subject = (what: 'workspace' | 'hash file') =>
    what === 'workspace' ? 'The workspace' : 'The hash file';
  const hint = (what: 'workspace' | 'hash file') => {
    const where = `the app's user-data folder${pr.defaultFolder ? ` (${pr.defaultFolder})` : ''}`;
    return what === 'workspace'
      ? `Choose a folder on this computer's own disk that no sync app watches, for example ${where}, which is the default.`
      : `Copy the file to a folder on this computer's own disk that no sync app watches, for example ${where}, open it from there, and remove it from the share or sync folder.`;
  };

  async function check(input: string, what: 'workspace' | 'hash file'): Promise<LocationVerdict> {
    const abs = P.resolve(input);
    const { resolved, tail } = await nearestExisting(abs);
    const full = tail.length ? P.join(resolved, ...tail) : resolved;

    const network =
      (await networkReason(resolved)) ?? (resolved !== abs ? await networkReason(abs, true) : null);
    if (network) {
      const why =
        what === 'workspace'
          ? 'A workspace holds exported users and password hashes: it must stay on this computer, where no one on the network can read or copy it, and SQLite cannot lock files reliably on network file systems.'
          : 'Password hashes must be read from this computer, not from a shared server where others can read or copy them.';
      return {
        ok: false,
        kind: 'network',
        reason: `${subject(what)} location ${full} is on ${network}. ${why}`,
        hint: hint(what),
      };
    }
    const provider = (await syncProvider(full)) ?? (full !== abs ? await syncProvider(abs) : null);
    if (provider) {
      return {
        ok: false,
        kind: 'sync',
        reason: `${subject(what)} location ${full} is inside a ${provider} folder, which uploads its files to ${provider}'s servers and your other devices. Password hashes must not leave this computer that way.`,
        hint: hint(what),
      };
    }
    return { ok: true };
  }

  return {
    check,
    async assert(p, what) {
      const v = await check(p, what);
      if (!v.ok) throw new AppError('location_refused', v.reason, v.hint);
    },
  };
}
