import { AppError } from '../../shared/errors';

// Secrets come from the environment (unattended runs) or an interactive prompt with echo off; never from
// command-line arguments, which other users of the machine can read in the process list.
export async function secretFromEnvOrPrompt(envVar: string, question: string): Promise<string> {
  const fromEnv = process.env[envVar];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new AppError(
      'credentials_missing',
      `No secret given: set ${envVar} or run this command in a terminal to be prompted.`,
    );
  }
  return promptHidden(question);
}

export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new AppError('cancelled', 'Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
