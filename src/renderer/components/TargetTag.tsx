// Which kind of WorkOS environment a write goes to, shown next to its name wherever the import is confirmed.
export type TargetKind = 'rehearsal' | 'production' | 'staging' | 'unknown';

const WORDS: Record<TargetKind, string> = {
  rehearsal: 'REHEARSAL sandbox',
  production: 'PRODUCTION',
  staging: 'staging',
  unknown: 'environment type unknown',
};

export function TargetTag({ kind }: { kind: TargetKind }) {
  return (
    <span className={`target-tag target-${kind}`} data-testid="target-kind" data-kind={kind}>
      {WORDS[kind]}
    </span>
  );
}
