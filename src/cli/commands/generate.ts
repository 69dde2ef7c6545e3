import { DEFAULT_GENERATE_PARAMETERS, DatasetParameterError, generateDataset, type GenerateOptions } from '../../datagen';
import { UsageError, parseFlags, positiveInteger } from '../args';

const d = DEFAULT_GENERATE_PARAMETERS;

/** The flag that sets each generator option, to name it in messages. */
const FLAG_OF: Record<keyof GenerateOptions, string> = {
  outDir: 'out', songs: 'songs', users: 'users', days: 'days', eventsPerDay: 'events-per-day', seed: 'seed', startDate: 'start-date',
};

export const GENERATE_HELP = `Usage: sparkify generate --out DIR [--songs N] [--users N] [--days N] [--events-per-day N] [--seed S] [--start-date YYYY-MM-DD]

Writes a deterministic dataset laid out like s3://udacity-dend/ (song_data/, log_data/YYYY/MM/…,
log_json_path.json) with the real data's quirks; the same parameters and seed give the same bytes.
Events stream to disk, so millions are fine.

  --out DIR                 new or empty folder to write (it stands for the bucket root)
  --songs N                 songs in the catalogue (default ${d.songs})
  --users N                 users (default ${d.users})
  --days N                  days of event logs, one file each (default ${d.days})
  --events-per-day N        events per day (default ${d.eventsPerDay})
  --seed S                  seed (default ${d.seed})
  --start-date YYYY-MM-DD   first day of the logs (default ${d.startDate})`;

export async function generateCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('generate', args, {
    out: { type: 'string' },
    songs: { type: 'string' },
    users: { type: 'string' },
    days: { type: 'string' },
    'events-per-day': { type: 'string' },
    seed: { type: 'string' },
    'start-date': { type: 'string' },
  });
  if (values.help) {
    console.log(GENERATE_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('sparkify generate needs --out DIR');
  const dataset = await generateDataset({
    outDir: values.out,
    songs: positiveInteger('songs', values.songs),
    users: positiveInteger('users', values.users),
    days: positiveInteger('days', values.days),
    eventsPerDay: positiveInteger('events-per-day', values['events-per-day']),
    seed: values.seed,
    startDate: values['start-date'],
  }).catch((error: unknown) => {
    throw error instanceof DatasetParameterError ? new UsageError(`sparkify generate: --${FLAG_OF[error.option]} ${error.problem}`) : error;
  });
  console.log(`Wrote ${dataset.songFiles} song files and ${dataset.logFiles} event files to ${values.out}`);
  console.log(`A correct load gives: ${JSON.stringify(dataset.expected)}`);
  return 0;
}
