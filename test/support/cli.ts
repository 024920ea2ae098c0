import { spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { exited, repoRoot } from '@ndxp/infra';

/** Runs the `ndxp` command as a user would, in a child process; its exit code and output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const cli = spawn(process.execPath, [join(repoRoot(), 'dist', 'tools', 'cli', 'main.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const s of [cli.stdout!, cli.stderr!]) createInterface({ input: s }).on('line', (l) => lines.push(l));
  const code = await exited(cli);
  return { code, output: lines.join('\n') };
}
