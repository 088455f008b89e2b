// Runs `moec` in-process with captured output: `await runCli(['check', 'x.moe'])`.
import { main } from '../../cli/main.ts';
import { loadAllCommands, type CommandModule } from '../../cli/commands/index.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  /** Pretend stdout and stderr are terminals (to test colours). */
  readonly tty?: boolean;
  /** Extra commands to register next to the real ones. */
  readonly extraCommands?: readonly CommandModule[];
}

export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const tty = options.tty ?? false;
  const code = await main(argv, {
    stdout: { write: (s) => void (stdout += s), isTTY: tty, columns: 120 },
    stderr: { write: (s) => void (stderr += s), isTTY: tty, columns: 120 },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    // Without extra commands, main() loads the invoked command itself (the path `moec` takes).
    commands: options.extraCommands ? [...(await loadAllCommands()), ...options.extraCommands] : undefined,
  });
  return { code, stdout, stderr };
}
