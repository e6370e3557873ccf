#!/usr/bin/env node
// Electron security review gate (`npm run security`): runs @doyensec/electronegativity over src/ and package.json
// and fails on every HIGH or MEDIUM finding that docs/security.md does not list, with a reason, in its allow-list.
// Offline by construction: the library's two network calls (translations, Electron's release list) are cut.
//
//   node scripts/electronegativity.mjs          human report
//   node scripts/electronegativity.mjs --json   one JSON object on stdout
//
// Exit codes: 0 clean, 1 unexplained findings / unscanned files / stale allow-list rows, 2 the gate itself failed.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const securityDoc = join(root, 'docs', 'security.md');
const allowStart = '<!-- electronegativity-allowlist:start -->';
const allowEnd = '<!-- electronegativity-allowlist:end -->';
const gated = new Set(['HIGH', 'MEDIUM']);
const scanned = [
  // Everything the app is made of: main, preload, renderer (TS/TSX/HTML) and the shared contract. All checks but
  // AvailableSecurityFixesGlobalCheck, which fetches Electron's release list on every run: the project pins
  // Electron in package-lock.json and takes security releases through dependency updates instead.
  { input: join(root, 'src'), checks: [], exclude: ['AvailableSecurityFixesGlobalCheck'] },
  // package.json: custom Electron switches or disabled security warnings in scripts. Only the JSON checks: the
  // whole-app checks (navigation limits, permission handler) belong to the src/ pass.
  {
    input: join(root, 'package.json'),
    checks: ['customargumentsjsoncheck', 'securitywarningsdisabledjsoncheck', 'electronversionjsoncheck'],
    exclude: [],
  },
];

class GateError extends Error {}

const posix = (p) => p.split(sep).join('/');

/** Reads the reviewed allow-list table from docs/security.md: | CHECK_ID | file | why it is acceptable |. */
export function readAllowList(text, docName = 'docs/security.md') {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === allowStart);
  const end = lines.findIndex((l) => l.trim() === allowEnd);
  if (start < 0 || end < start) {
    throw new GateError(`${docName}: the allow-list markers ${allowStart} ... ${allowEnd} are missing.`);
  }
  const entries = [];
  for (let i = start + 1; i < end; i++) {
    const line = lines[i].trim();
    if (!line.startsWith('|')) continue;
    const cells = line
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((c) => c.trim().replace(/^`|`$/g, ''));
    if (cells[0] === 'Check' || /^:?-+:?$/.test(cells[0] ?? '')) continue; // header and separator rows
    const [id = '', file = '', reason = ''] = cells;
    const where = `${docName}:${i + 1}`;
    if (cells.length !== 3)
      throw new GateError(`${where}: an allow-list row has three cells: check id, file, reason.`);
    if (!/^[A-Z0-9_]+$/.test(id))
      throw new GateError(`${where}: "${id}" is not an electronegativity check id.`);
    if (!file) throw new GateError(`${where}: name the file the finding is in (or N/A for a global check).`);
    if (reason.length < 30) throw new GateError(`${where}: explain why ${id} in ${file} is acceptable.`);
    entries.push({ id, file, reason, where });
  }
  return entries;
}

/** Splits findings into the gated ones the allow-list explains and those it does not. */
export function judge(findings, allowList) {
  const used = new Set();
  const unexplained = [];
  const explained = [];
  for (const f of findings) {
    if (!gated.has(f.severity)) continue;
    const entry = allowList.find((e) => e.id === f.id && e.file === f.file);
    if (entry) {
      used.add(entry);
      explained.push({ ...f, reason: entry.reason });
    } else unexplained.push(f);
  }
  const stale = allowList.filter((e) => !used.has(e));
  return { explained, unexplained, stale };
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(m?[jt]sx?|html?)$/.test(d.name))
    .map((d) => join(d.parentPath, d.name));
}

// Inline `eng-disable` comments would hide a finding from this gate without a reviewed reason.
function inlineSuppressions() {
  const hits = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/eng-disable/.test(line)) hits.push(`${posix(relative(root, file))}:${i + 1}`);
      });
  }
  return hits;
}

async function scan() {
  const libDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  // Cut the library's network access: its i18n loader and the security-fixes check both fetch with `got`.
  const gotPath = require.resolve('got', { paths: [libDir] });
  require.cache[gotPath] = {
    id: gotPath,
    filename: gotPath,
    loaded: true,
    exports: () => Promise.reject(new Error('network access disabled by scripts/electronegativity.mjs')),
  };
  const lib = require('@doyensec/electronegativity');
  const run = lib.default ?? lib;
  const electronVersion = JSON.parse(
    readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
  ).version;

  const findings = [];
  const unscanned = [];
  const quiet = console.log;
  const lang = process.env.LANG;
  process.env.LANG = 'en-US'; // the library picks its message catalogue from LANG
  console.log = () => {}; // it reports the (deliberately) failed translation fetch on stdout
  try {
    for (const target of scanned) {
      const result = await run({
        input: target.input,
        customScan: target.checks,
        excludeFromScan: target.exclude,
        electronVersionOverride: electronVersion,
        isRelative: false,
      });
      for (const e of result.errors) {
        if (!e.tolerable) unscanned.push({ file: posix(relative(root, e.file)), message: e.message });
      }
      for (const i of result.issues) {
        findings.push({
          id: i.id,
          file: i.file === 'N/A' ? 'N/A' : posix(relative(root, i.file)),
          line: i.location?.line ?? 0,
          column: i.location?.column ?? 0,
          severity: i.severity.name,
          confidence: i.confidence.name,
          manualReview: Boolean(i.manualReview),
          description: i.description,
          url: i.shortenedURL,
        });
      }
    }
  } finally {
    console.log = quiet;
    if (lang === undefined) delete process.env.LANG;
    else process.env.LANG = lang;
  }
  return { electronVersion, findings, unscanned };
}

async function main() {
  const asJson = process.argv.includes('--json');
  const started = Date.now();
  const allowList = readAllowList(readFileSync(securityDoc, 'utf8'));
  const { electronVersion, findings, unscanned } = await scan();
  const suppressions = inlineSuppressions();
  const { explained, unexplained, stale } = judge(findings, allowList);
  const informational = findings.filter((f) => !gated.has(f.severity));
  const ok =
    unexplained.length === 0 && unscanned.length === 0 && stale.length === 0 && suppressions.length === 0;

  if (asJson) {
    const out = {
      ok,
      electronVersion,
      unexplained,
      explained,
      informational,
      unscanned,
      suppressions,
      stale,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return ok ? 0 : 1;
  }

  const at = (f) => (f.file === 'N/A' ? 'whole app' : `${f.file}:${f.line}:${f.column}`);
  console.log(`electronegativity over src/ and package.json (Electron ${electronVersion}), offline`);
  for (const f of explained) console.log(`  explained  ${f.severity} ${f.id} ${at(f)}`);
  for (const f of informational) console.log(`  info       ${f.severity} ${f.id} ${at(f)}: ${f.description}`);
  for (const f of unexplained) {
    console.log(`  FINDING    ${f.severity} ${f.id} ${at(f)}: ${f.description} (${f.url})`);
  }
  for (const u of unscanned) console.log(`  UNSCANNED  ${u.file}: ${u.message}`);
  for (const s of suppressions) {
    console.log(
      `  SUPPRESSED ${s}: inline eng-disable; list the finding in docs/security.md's allow-list instead`,
    );
  }
  for (const e of stale) {
    console.log(`  STALE      ${e.where}: ${e.id} in ${e.file} matches no finding; delete the row`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (ok) {
    console.log(
      `passed: no unexplained HIGH or MEDIUM finding (${explained.length} explained, ${seconds} s)`,
    );
    return 0;
  }
  console.log(
    `failed: ${unexplained.length} unexplained HIGH/MEDIUM finding(s), ${unscanned.length} unscanned file(s), ` +
      `${suppressions.length} inline suppression(s), ${stale.length} stale allow-list row(s). ` +
      'Fix the code, or add a reviewed row to the allow-list in docs/security.md.',
  );
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(
        err instanceof GateError ? err.message : `electronegativity gate failed: ${err.stack ?? err}`,
      );
      process.exit(2);
    },
  );
}
