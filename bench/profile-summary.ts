/**
 * Summarises V8 CPU profiles: for each thread's .cpuprofile in a folder, its busy share and the functions
 * with the most self time. Make the profiles with Node's --cpu-prof, for example:
 *
 *   node --cpu-prof --cpu-prof-dir=prof --import tsx bench/run.ts --events 1000000 --engine postgres --database-url … --copy-only
 *   npm run bench:profile -- prof
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = 12;

function summarise(file: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id)!.callFrame;
    const where = url ? url.split('/').slice(-2).join('/') : '';
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    const ms = profile.timeDeltas[i] / 1000;
    selfMs.set(name, (selfMs.get(name) ?? 0) + ms);
    totalMs += ms;
  });
  const idle = selfMs.get('(idle)') ?? 0;
  const lines = [`${path.basename(file)}: ${(totalMs / 1000).toFixed(1)} s sampled, ${((100 * (totalMs - idle)) / totalMs).toFixed(0)}% busy`];
  for (const [name, ms] of [...selfMs].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    lines.push(`  ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${name}`);
  }
  return lines.join('\n');
}

const dir = process.argv[2];
if (!dir) {
  console.error('Usage: npm run bench:profile -- <folder of .cpuprofile files>');
  process.exitCode = 2;
} else {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  for (const file of files) console.log(`${summarise(path.join(dir, file))}\n`);
}
