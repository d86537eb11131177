import { mkdtempSync, rmSync } from 'node:fs';
import { encode } from '@starweave/actors';
import { SqliteJournal } from '@starweave/persistence';
import Database from 'better-sqlite3';
import { pack } from 'msgpackr';

const N = Number(process.argv[3] ?? 200000),
  B = Number(process.argv[2] ?? 1000);
const payload = (i) => ({ type: 'deposit', amount: i % 1000, ts: i });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const dir = mkdtempSync('/tmp/probe-');
async function sw(file) {
  const j = await SqliteJournal.open({ filename: file });
  const t0 = cpu();
  for (let s = 0; s < N; s += B) {
    const ev = [];
    for (let i = s; i < s + B; i++) ev.push({ payload: payload(i) });
    await j.append('account-1', ev, s);
  }
  const r = ((cpu() - t0) / N) * 1000;
  await j.close();
  return r;
}
function plain(file, enc) {
  const db = new Database(file);
  if (file !== ':memory:') {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, ts INTEGER, actor TEXT, payload BLOB)');
  const ins = db.prepare('INSERT INTO events VALUES (?,?,?,?)');
  const tx = db.transaction((f) => {
    for (let i = f; i < f + B; i++) ins.run(i + 1, Date.now(), 'account-1', enc(payload(i)));
  });
  const t0 = cpu();
  if (B === 1) for (let i = 0; i < N; i++) ins.run(i + 1, Date.now(), 'account-1', enc(payload(i)));
  else for (let s = 0; s < N; s += B) tx(s);
  const r = ((cpu() - t0) / N) * 1000;
  db.close();
  return r;
}
const where = process.argv[4] ?? 'file';
for (let r = 0; r < 3; r++) {
  const f = (n) => (where === 'mem' ? ':memory:' : `${dir}/${n}-${r}.db`);
  console.log(
    'µs CPU/row: sw',
    (await sw(f('sw'))).toFixed(2),
    'plain+pack',
    plain(f('p'), pack).toFixed(2),
    'plain+codec',
    plain(f('c'), encode).toFixed(2),
  );
}
rmSync(dir, { recursive: true });
