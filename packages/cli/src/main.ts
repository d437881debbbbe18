import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { registerDevices } from './commands/devices.js';
import { registerIncidents } from './commands/incidents.js';
import { registerPlaces } from './commands/places.js';
import { registerPlaybooks } from './commands/playbooks.js';
import { registerRollouts } from './commands/rollouts.js';
import { DEFAULT_URL } from './context.js';
import { CliError, describeError } from './errors.js';
import type { Io } from './io.js';

/** The program, writing through `io` and reporting its exit status instead of exiting. */
export function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command('warden')
    .description('Warden from the command line: devices, rollouts, incidents and playbooks over the GraphQL API.')
    .option('--url <url>', `the Warden API (default: WARDEN_URL or ${DEFAULT_URL})`)
    .option('--api-key <key>', 'an API key (default: WARDEN_API_KEY)')
    .showHelpAfterError('(warden --help lists the commands)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(s) })
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  export WARDEN_API_KEY=wdk_…                      # an API key; WARDEN_URL defaults to ${DEFAULT_URL}
  warden devices import office.csv                 # CSV as the console exports it; rejected rows by line
  warden devices list --kind CAMERA --firmware-below 2.0.0 --segment hq/iot-floor-1
  warden rollouts create --name "cams 2.1.0" --release Lumen/Cam-200@2.1.0 --model Lumen/Cam-200
  warden rollouts start <id> --watch
  warden incidents list --open --severity HIGH,CRITICAL --json
  warden playbooks run worm-outbreak --incident <id>            # a dry run: shows what it would touch
  warden playbooks run worm-outbreak --incident <id> --execute --watch`,
    );
  // Subcommands inherit the output and exit settings above; they report through `exit`.
  registerDevices(program, io, exit);
  registerRollouts(program, io, exit);
  registerIncidents(program, io, exit);
  registerPlaybooks(program, io, exit);
  registerPlaces(program, io, exit);
  return program;
}

/** Runs one command line; resolves to the exit status (0 ok, 1 failed, 2 bad usage). */
export async function run(argv: string[], io: Io): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" that end well; usage errors are already printed.
      return err.exitCode === 0 ? 0 : 2;
    }
    io.stderr.write(`warden: ${describeError(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

/** The `warden` executable. */
export async function main(): Promise<void> {
  // The CLI's own configuration: the two variables it documents, read here and nowhere else.
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: Boolean(process.stderr.isTTY),
    // Tables fit a terminal; piped into a file or grep, nothing is cut.
    columns: process.stdout.isTTY ? process.stdout.columns : Infinity,
    readFile: async (path) => {
      if (path !== '-') return readFile(path, 'utf8');
      const parts: Buffer[] = [];
      for await (const chunk of process.stdin) parts.push(chunk as Buffer);
      return Buffer.concat(parts).toString('utf8');
    },
  };
  process.exitCode = await run(process.argv.slice(2), io);
}
