import { z } from 'zod';

// The Passwords step's operations (spread into `contract` in contract.ts; names listed in operations.ts).
// The renderer sees counts, algorithms, user ids and line numbers only: never a hash, a secret or an email address.
// The passphrase goes in, is handed to the merge job in memory, and never comes back out nor is it stored.

const op = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const empty = z.object({}).strict();
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');
const fingerprint = z.string().regex(/^[0-9A-Fa-f]{16,64}$/, 'a key fingerprint is hexadecimal');
const mergeKind = z.enum(['passwords', 'mfa']);

// Where the private key comes from: a key file (optionally kept in the keychain afterwards), or the keychain.
const keySource = z.union([
  z.object({ file: absolutePath, remember: z.boolean().default(false) }).strict(),
  z.object({ keychain: fingerprint }).strict(),
]);

const jobView = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  updatedAt: z.string(),
});

export const mergeCounts = z.object({
  lines: z.number(),
  matched: z.number(),
  blocked: z.number(),
  duplicates: z.number(),
  ambiguous: z.number(),
  noSuchUser: z.number(),
  notDatabaseUser: z.number(),
  invalid: z.number(),
  unreadable: z.number(),
  byAlgorithm: z.record(z.string(), z.number()),
  notImportable: z.number(),
});

export const mergeResult = z.object({
  kind: mergeKind,
  runId: z.string(),
  fileName: z.string(),
  fileSha256: z.string(),
  encrypted: z.boolean(),
  counts: mergeCounts,
  unmatched: z.number(),
  added: z.number(),
  changed: z.number(),
  unchanged: z.number(),
  removed: z.number(),
  withoutValue: z.number(),
  finishedAt: z.string(),
});
export type MergeResultView = z.infer<typeof mergeResult>;

export const mergeListName = z.enum([
  'unmatched',
  'ambiguous',
  'duplicates',
  'blocked',
  'notImportable',
  'withoutHash',
  'reenrol',
]);

export const passwordsOperations = {
  /** What kind of file this is (plain NDJSON or PGP) and whether its location is acceptable for a plain hash file. */
  'passwords.inspect': op(
    z.object({ path: absolutePath }).strict(),
    z.object({
      name: z.string(),
      bytes: z.number(),
      format: z.enum(['plain', 'pgp', 'other']),
      locationProblem: z.string().nullable(),
    }),
  ),
  'passwords.merge': op(
    z
      .object({
        kind: mergeKind,
        path: absolutePath,
        key: keySource.optional(),
        passphrase: z.string().min(1).max(1024).optional(),
      })
      .strict(),
    jobView,
  ),
  /** Resumes an interrupted, paused or failed merge; an encrypted file needs the key and passphrase again. */
  'passwords.resume': op(
    z
      .object({
        jobId: z.string().max(64),
        key: keySource.optional(),
        passphrase: z.string().min(1).max(1024).optional(),
      })
      .strict(),
    jobView,
  ),
  'passwords.status': op(
    z.object({ kind: mergeKind }).strict(),
    z.object({ latest: mergeResult.nullable(), job: jobView.nullable(), exportedUsers: z.number() }),
  ),
  'passwords.list': op(
    z
      .object({
        kind: mergeKind,
        list: mergeListName,
        search: z.string().max(200).optional(),
        offset: z.number().int().min(0).max(100_000_000).default(0),
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    z.object({
      total: z.number(),
      items: z.array(
        z.object({
          line: z.number().nullable(),
          userId: z.string().nullable(),
          outcome: z.string().nullable(),
          algorithm: z.string().nullable(),
          detail: z.string().nullable(),
        }),
      ),
    }),
  ),
  'passwords.keys': op(empty, z.array(z.object({ fingerprint: z.string(), label: z.string() }))),
  'passwords.forgetKey': op(
    z.object({ fingerprint }).strict(),
    z.array(z.object({ fingerprint: z.string(), label: z.string() })),
  ),
  /** Overwrites and deletes a decrypted hash file that the latest merge read (refused for any other file). */
  'passwords.removePlaintext': op(
    z.object({ path: absolutePath }).strict(),
    z.object({ removed: z.boolean(), overwrittenBytes: z.number(), note: z.string() }),
  ),
};
