/**
 * Runs the chaos tree from the command line: `npm start -- --seed 7`.
 */
import { runChaos } from './chaos-run.js';

const seedFlag = process.argv.indexOf('--seed');
const seed = seedFlag === -1 ? 1 : Number(process.argv[seedFlag + 1]);
if (!Number.isInteger(seed)) {
  console.error(`invalid --seed ${process.argv[seedFlag + 1]}: expected an integer`);
  process.exit(2);
}

const report = await runChaos({ seed });
console.log(`chaos monkey seed ${report.seed}: ${report.kills} kills`);
for (const restart of report.restarts) {
  console.log(`  ${String(restart.atMs).padStart(5)} ms  ${restart.supervisor} restarted ${restart.childId} (${restart.reason})`);
}
console.log(`restarts seen: ${report.restarts.length}`);
for (const [supervisor, ids] of Object.entries(report.alive)) {
  console.log(`alive under ${supervisor}: ${ids.join(', ')}`);
}
