import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { TextDecoderStream, type ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import { AppError } from '../../shared/errors';

// Streams Auth0's support file (password hashes or MFA secrets) line by line: plain NDJSON, or PGP-encrypted
// (binary or ASCII-armored) and decrypted as a stream so that the plaintext never exists whole in memory nor on disk.
// Messages name the file and the line, never the content.
//
// PGP integrity: OpenPGP's integrity check (MDC or AEAD tag) can only be confirmed once the whole message has been
// read. So that a 1 GB file need not be held in memory, decryption runs with `allowUnauthenticatedStream` and every
// record yielded is PROVISIONAL: the caller stages records and commits them only after the iterator has finished
// without throwing. A failed integrity check (tampering, corruption, truncation) throws an AppError at the end.

export interface PgpKeyInput {
  /** The admin's ASCII-armored private key (passphrase-protected). */
  privateKeyArmored: string;
  passphrase: string;
}

export interface ReadSupportFileOptions {
  file: string;
  /** Present when the file is PGP-encrypted; a plain file with this set is refused, and vice versa. */
  pgp?: PgpKeyInput;
  /** Longest accepted line in bytes (default 1 MiB); longer lines are reported and skipped without being buffered. */
  maxLineBytes?: number;
}

export type SupportFileItem = { line: number; record: unknown } | { line: number; error: string };

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 512 * 1024;
const NEWLINE = 0x0a;

type FileKind = 'plain' | 'pgp-binary' | 'pgp-armored' | 'binary-unknown' | 'empty';

/**
 * The file's records in batches (one batch per chunk read, typically a few thousand lines), in file order.
 * For a PGP file the batches are provisional until the iteration completes (see the module comment).
 */
export async function* readSupportFileBatches(
  opts: ReadSupportFileOptions,
): AsyncGenerator<SupportFileItem[]> {
  const name = basename(opts.file);
  const kind = await sniff(opts.file, name);
  const splitter = new LineSplitter(name, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);

  if (opts.pgp) {
    if (kind === 'plain' || kind === 'empty') {
      throw new AppError(
        'invalid_input',
        `${name} is not PGP-encrypted: it ${kind === 'empty' ? 'is empty' : 'looks like plain text'}.`,
        'If you already decrypted the file, choose it as a plain NDJSON file instead of giving a key.',
      );
    }
    const data = await openPgpStream(opts.file, name, kind, opts.pgp);
    const reader = data.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          throw streamError(err, name, splitter.lastLine);
        }
        if (chunk.done) break;
        const batch = splitter.push(chunk.value);
        if (batch.length > 0) yield batch;
      }
    } finally {
      reader.releaseLock();
      await data.cancel().catch(() => undefined);
    }
  } else {
    if (kind === 'pgp-binary' || kind === 'pgp-armored') {
      throw new AppError(
        'invalid_input',
        `${name} is PGP-encrypted.`,
        'Give the private key file and its passphrase so that the app decrypts it in memory.',
      );
    }
    if (kind === 'binary-unknown') {
      throw new AppError(
        'invalid_input',
        `${name} is a binary file, neither NDJSON text nor an OpenPGP message.`,
      );
    }
    // One buffer refilled for the whole file (the splitter copies what it keeps): a stream's fresh buffer per chunk
    // is native memory that waits for a garbage collection, and a 400 MB file left hundreds of MB of it behind.
    let handle: FileHandle | undefined;
    try {
      handle = await open(opts.file, 'r');
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        const batch = splitter.push(buffer.subarray(0, bytesRead));
        if (batch.length > 0) yield batch;
      }
    } catch (err) {
      throw fileError(err, name);
    } finally {
      await handle?.close();
    }
  }
  const last = splitter.end();
  if (last.length > 0) yield last;
}

/** One item per line; the same contract as readSupportFileBatches. */
export async function* readSupportFile(opts: ReadSupportFileOptions): AsyncGenerator<SupportFileItem> {
  for await (const batch of readSupportFileBatches(opts)) yield* batch;
}

// ---------------------------------------------------------------------------------------------------------------

function fileError(err: unknown, name: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new AppError('not_found', `${name} does not exist.`);
  if (code === 'EACCES' || code === 'EPERM')
    return new AppError('invalid_input', `${name} cannot be read: permission denied.`);
  if (code === 'EISDIR') return new AppError('invalid_input', `${name} is a folder, not a file.`);
  return new AppError('invalid_input', `${name} cannot be read (${code ?? 'I/O error'}).`);
}

async function sniff(file: string, name: string): Promise<FileKind> {
  let handle;
  try {
    handle = await open(file, 'r');
    const st = await handle.stat();
    if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return kindOf(head.subarray(0, bytesRead));
  } catch (err) {
    throw fileError(err, name);
  } finally {
    await handle?.close();
  }
}

function kindOf(head: Buffer): FileKind {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09))
    i++;
  if (i >= head.length) return 'empty';
  if (head.subarray(i, i + 15).toString('latin1') === '-----BEGIN PGP ') return 'pgp-armored';
  const first = head[i]!;
  // An OpenPGP packet header has the top bit set; its tag must be a session-key or encrypted-data packet to be
  // a message addressed to someone.
  if (first & 0x80) {
    const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
    return [1, 3, 8, 9, 18, 20].includes(tag) ? 'pgp-binary' : 'binary-unknown';
  }
  return first < 0x09 || (first > 0x0d && first < 0x20) ? 'binary-unknown' : 'plain';
}

/** The user id without its email address (those never go into messages). */
function keyLabel(key: openpgp.PrivateKey): string {
  const uid = key.getUserIDs()[0] ?? '';
  const nameOnly = uid.replace(/<[^>]*>/g, '').trim();
  return nameOnly
    ? `${key.getFingerprint().toUpperCase()} ("${nameOnly}")`
    : key.getFingerprint().toUpperCase();
}

async function openPgpStream(
  file: string,
  name: string,
  kind: FileKind,
  pgp: PgpKeyInput,
): Promise<ReadableStream<Uint8Array>> {
  let locked: openpgp.PrivateKey;
  try {
    locked = await openpgp.readPrivateKey({ armoredKey: pgp.privateKeyArmored });
  } catch {
    throw new AppError('invalid_input', 'The private key file is not an ASCII-armored OpenPGP private key.');
  }
  let key: openpgp.PrivateKey = locked;
  if (!locked.isDecrypted()) {
    try {
      key = await openpgp.decryptKey({ privateKey: locked, passphrase: pgp.passphrase });
    } catch {
      throw new AppError(
        'credentials_invalid',
        `The passphrase does not unlock the private key ${keyLabel(locked)}.`,
        'Check the passphrase (it is case-sensitive) and that this is the key you generated for Auth0 support.',
      );
    }
  }

  const nodeStream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  nodeStream.on('error', () => undefined); // surfaced through the web stream
  const web = Readable.toWeb(nodeStream) as NodeReadableStream<Uint8Array>;
  let message: openpgp.Message<openpgp.MaybeStream<Uint8Array | string>>;
  try {
    message =
      kind === 'pgp-armored'
        ? await openpgp.readMessage({
            armoredMessage: web.pipeThrough(
              new TextDecoderStream('utf-8'),
            ) as unknown as openpgp.NodeWebStream<string>,
          })
        : await openpgp.readMessage({ binaryMessage: web as unknown as openpgp.NodeWebStream<Uint8Array> });
  } catch {
    nodeStream.destroy();
    throw new AppError(
      'invalid_input',
      `${name} is not a readable OpenPGP message: its packets are damaged or it is not PGP data.`,
      'Ask Auth0 support to resend the file if it was damaged in transit.',
    );
  }

  const recipients = message.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase());
  const ours = new Set(key.getKeyIDs().map((id) => id.toHex().toUpperCase()));
  const wildcard = recipients.some((id) => /^0+$/.test(id));
  if (recipients.length === 0) {
    nodeStream.destroy();
    throw new AppError('invalid_input', `${name} is an OpenPGP message but not encrypted to a public key.`);
  }
  if (!wildcard && !recipients.some((id) => ours.has(id))) {
    nodeStream.destroy();
    throw new AppError(
      'credentials_invalid',
      `${name} is encrypted to key id ${recipients.join(', ')}, not to the private key ${keyLabel(key)}.`,
      'Choose the private key whose public half you sent to Auth0 support.',
    );
  }

  try {
    const result = await openpgp.decrypt({
      message,
      decryptionKeys: key,
      format: 'binary',
      config: { allowUnauthenticatedStream: true },
    });
    return result.data as unknown as ReadableStream<Uint8Array>;
  } catch (err) {
    nodeStream.destroy();
    throw streamError(err, name, 0);
  }
}

function streamError(err: unknown, name: string, lastLine: number): AppError {
  if (err instanceof AppError) return err;
  // File-system errors (ENOENT, EIO...) keep their meaning; zlib's Z_* codes are damaged compressed data.
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return fileError(err, name);
  const where = lastLine > 0 ? ` after line ${lastLine}` : '';
  const text = err instanceof Error ? err.message : '';
  if (/Modification detected|Authentication tag mismatch|MDC/i.test(text)) {
    return new AppError(
      'invalid_input',
      `${name} failed OpenPGP's integrity check${where}: the file was damaged or altered. Nothing from it may be used.`,
      'Ask Auth0 support to resend the file.',
    );
  }
  if (/Session key decryption failed/i.test(text)) {
    return new AppError(
      'invalid_input',
      `${name}: the encrypted session key could not be decrypted with this private key; the key packet is damaged.`,
      'Ask Auth0 support to resend the file.',
    );
  }
  return new AppError(
    'invalid_input',
    `${name} is truncated or damaged${where}: its OpenPGP data ends early or does not parse. Nothing from it may be used.`,
    'Check that the download completed, or ask Auth0 support to resend the file.',
  );
}

/**
 * Splits bytes into lines and parses each as JSON. Decoding is done per run of complete lines (one TextDecoder call,
 * one split) for speed; a run that fails UTF-8 decoding is redone line by line to name the offending line.
 */
class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;
  private atStart = true;
  private lineNo = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(
    private readonly name: string,
    private readonly maxLineBytes: number,
  ) {}

  get lastLine(): number {
    return this.lineNo;
  }

  push(input: Uint8Array): SupportFileItem[] {
    let chunk = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const out: SupportFileItem[] = [];
    if (this.atStart) {
      if (this.pendingBytes + chunk.length < 3 && !chunk.includes(NEWLINE)) {
        this.pending.push(Buffer.from(chunk)); // the caller may reuse its buffer
        this.pendingBytes += chunk.length;
        return out;
      }
      this.atStart = false;
      if (this.pending.length > 0) {
        chunk = Buffer.concat([...this.pending, chunk]);
        this.pending = [];
        this.pendingBytes = 0;
      }
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }

    let start = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) return out;
      this.skipping = false;
      start = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NEWLINE);
    if (lastNl < start) {
      this.accumulate(chunk.subarray(start), out);
      return out;
    }
    if (this.pendingBytes > 0) {
      // Finish the line carried over from the previous chunk on its own, so the bulk is decoded without a copy.
      const firstNl = chunk.indexOf(NEWLINE, start);
      const carried = Buffer.concat([...this.pending, chunk.subarray(start, firstNl + 1)]);
      this.pending = [];
      this.pendingBytes = 0;
      this.parseRegion(carried, out);
      start = firstNl + 1;
    }
    if (start <= lastNl) this.parseRegion(chunk.subarray(start, lastNl + 1), out);
    if (lastNl + 1 < chunk.length) this.accumulate(chunk.subarray(lastNl + 1), out);
    return out;
  }

  end(): SupportFileItem[] {
    const out: SupportFileItem[] = [];
    if (this.skipping || this.pendingBytes === 0) return out;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.lineNo++;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      out.push(
        this.err(this.lineNo, 'is not valid UTF-8 and the file ends without a newline (it may be truncated)'),
      );
      return out;
    }
    if (isBlank(text)) return out;
    const item = this.parseLine(text.endsWith('\r') ? text.slice(0, -1) : text, this.lineNo);
    if ('error' in item) {
      out.push(
        this.err(this.lineNo, 'is incomplete: the file ends in the middle of it (it may be truncated)'),
      );
    } else out.push(item);
    return out;
  }

  /** Bytes of a line whose newline has not arrived yet. */
  private accumulate(bytes: Buffer, out: SupportFileItem[]): void {
    if (this.pendingBytes + bytes.length > this.maxLineBytes) {
      this.lineNo++;
      out.push(
        this.err(
          this.lineNo,
          `is longer than ${this.maxLineBytes} bytes; it was skipped without being read whole`,
        ),
      );
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
      return;
    }
    // Copy: the source buffer may be reused by the stream.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  /** `region` ends with a newline. */
  private parseRegion(region: Buffer, out: SupportFileItem[]): void {
    let text: string | undefined;
    try {
      text = this.decoder.decode(region);
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const lines = text.split('\n');
      const n = lines.length - 1; // the text ends with '\n'
      for (let i = 0; i < n; i++) {
        const line = lines[i]!;
        const lineNo = ++this.lineNo;
        this.handleLine(line, lineNo, out);
      }
      return;
    }
    // Slow path: find the line(s) that are not valid UTF-8.
    let pos = 0;
    while (pos < region.length) {
      const nl = region.indexOf(NEWLINE, pos);
      const lineBytes = region.subarray(pos, nl);
      pos = nl + 1;
      const lineNo = ++this.lineNo;
      let line: string;
      try {
        line = this.decoder.decode(lineBytes);
      } catch {
        out.push(this.err(lineNo, 'is not valid UTF-8'));
        continue;
      }
      this.handleLine(line, lineNo, out);
    }
  }

  private handleLine(raw: string, lineNo: number, out: SupportFileItem[]): void {
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (line.length === 0 || isBlank(line)) return;
    if (line.length * 3 > this.maxLineBytes && Buffer.byteLength(line) > this.maxLineBytes) {
      out.push(this.err(lineNo, `is longer than ${this.maxLineBytes} bytes; it was skipped`));
      return;
    }
    out.push(this.parseLine(line, lineNo));
  }

  private parseLine(line: string, lineNo: number): SupportFileItem {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return this.err(lineNo, 'is not valid JSON');
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      return this.err(lineNo, 'is JSON but not an object');
    }
    return { line: lineNo, record };
  }

  private err(lineNo: number, what: string): SupportFileItem {
    return { line: lineNo, error: `${this.name} line ${lineNo} ${what} (content not shown).` };
  }
}

function isBlank(line: string): boolean {
  const c = line.charCodeAt(0);
  // Fast exit: a record line starts with '{'.
  if (c === 123) return false;
  return line.trim().length === 0;
}
