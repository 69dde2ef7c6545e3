/**
 * The `sparkify` command: run the nightly load offline, start the Data API emulator, query the local
 * warehouse, write the analysts' report, generate a dataset, show, pause or resume a cluster. Exit status
 * 2 for bad usage, 1 for a failure, 0 otherwise.
 */
import { UsageError } from './args';
import { clusterCommand } from './commands/cluster';
import { emulatorCommand } from './commands/emulator';
import { generateCommand } from './commands/generate';
import { queryCommand } from './commands/query';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';

// Offline, the SDK's notice about Node 20 support in 2027 is only noise between progress lines.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  emulator: emulatorCommand,
  query: queryCommand,
  report: reportCommand,
  generate: generateCommand,
  cluster: clusterCommand,
};

const HELP = `Usage: sparkify <command> [flags]

Commands:
  run        run the whole ETL offline and print a summary (what npm start runs)
  emulator   start the local Redshift Data API emulator
  query      run one SQL statement against the local warehouse
  report     write the analysts' report: one self-contained HTML file of charts
  generate   write a deterministic dataset laid out like the S3 bucket
  cluster    show, pause or resume a Redshift cluster, on AWS or on the emulator

sparkify <command> --help shows each command's flags.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (!run) throw new UsageError(`Unknown command ${JSON.stringify(command)}; the commands are ${Object.keys(COMMANDS).join(', ')}`);
    return await run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\nRun \`sparkify ${run ? `${command} ` : ''}--help\` for usage.`);
      return 2;
    }
    console.error(`sparkify ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
