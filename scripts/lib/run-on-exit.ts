import { execFileSync } from 'node:child_process';

/**
 * Runs `bash script ...args` when the process exits or is interrupted (Ctrl-C, a runner's
 * timeout: 'exit' alone would not run), so an interrupted suite leaves no server running.
 * Returns the function that cancels it, for when the suite cleaned up by itself.
 */
export function runOnExit(script: string, ...args: string[]): () => void {
  const onExit = () => {
    try {
      execFileSync('bash', [script, ...args], { stdio: 'ignore' });
    } catch {
      // nothing more can be done while exiting
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}
