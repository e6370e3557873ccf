import type { Output } from '../../../shared/contract';

type Latest = NonNullable<Output<'passwords.status'>['latest']>;

// Counts per outcome and per algorithm, each with what it means for the migration.
export function Result({ kind, result }: { kind: 'passwords' | 'mfa'; result: Latest }) {
  const c = result.counts;
  const rows: [string, number, string][] = [
    ['Lines read', c.lines, ''],
    [
      'Matched',
      c.matched,
      kind === 'passwords'
        ? 'Kept encrypted; these users keep their password in WorkOS.'
        : 'Kept encrypted; these users keep their authenticator app.',
    ],
    [
      'Blocked users (kept, flagged)',
      c.blocked,
      'Not imported with a password unless you decide so in the review.',
    ],
    [
      'Unmatched',
      result.unmatched,
      'No exported user has this id or email in this connection, or the line is unusable.',
    ],
    ['Ambiguous', c.ambiguous, 'Several users share the email: nothing is guessed.'],
    ['Duplicate lines', c.duplicates, 'A second line for a user already matched.'],
    kind === 'passwords'
      ? [
          'Database users without a hash',
          result.withoutValue,
          'They need a password reset or just-in-time migration.',
        ]
      : [
          'Users to re-enrol',
          result.withoutValue,
          'SMS or push factors, or TOTP without a secret: they enrol again.',
        ],
  ];
  const algorithms = Object.entries(c.byAlgorithm).sort((a, b) => b[1] - a[1]);
  return (
    <section className="card" aria-labelledby={`result-${kind}`}>
      <h3 id={`result-${kind}`}>Result</h3>
      <p className="muted">
        {result.fileName} ({result.encrypted ? 'PGP, decrypted in memory' : 'plain'}), SHA-256{' '}
        <span className="mono">{result.fileSha256.slice(0, 16)}…</span>, merged{' '}
        {new Date(result.finishedAt).toLocaleString()}. Changes: {result.added} added, {result.changed}{' '}
        changed, {result.unchanged} unchanged, {result.removed} removed.
      </p>
      <table className="export-table" aria-label="Outcomes" data-testid="merge-outcomes">
        <tbody>
          {rows.map(([label, n, meaning]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{n}</td>
              <td className="passwords-detail">{meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {kind === 'passwords' ? (
        <table className="export-table" aria-label="Algorithms" data-testid="merge-algorithms">
          <thead>
            <tr>
              <th>Algorithm</th>
              <th>Users</th>
            </tr>
          </thead>
          <tbody>
            {algorithms.map(([alg, n]) => (
              <tr key={alg}>
                <td>{alg}</td>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {kind === 'passwords' && c.notImportable > 0 ? (
        <p>
          {c.notImportable} hashes cannot be imported into WorkOS as they are (see “Hashes WorkOS cannot take”
          below).
        </p>
      ) : null}
    </section>
  );
}
