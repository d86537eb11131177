import { mkdtempSync, rmSync } from 'node:fs';
import { decode } from '@starweave/actors';
import { SqliteJournal } from '@starweave/persistence';
import Database from 'better-sqlite3';

const N = 300000;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const dir = mkdtempSync('/tmp/probe-');
const file = `${dir}/j.db`;
const j = await SqliteJournal.open({ filename: file });
for (let s = 0; s < N; s += 10000) {
  const ev = [];
  for (let i = s; i < s + 10000; i++)
    ev.push({ payload: { type: 'deposit', amount: i % 1000, ts: i } });
  await j.append('account-1', ev, s);
}
await j.close();
for (let r = 0; r < 3; r++) {
  const db = new Database(file, { readonly: true });
  const q = db
    .prepare(
      'SELECT persistence_id, seq, ordering, type, version, tags, written_at, format, payload FROM starweave_journal WHERE persistence_id = ? AND seq > ? AND seq <= ? AND deleted = 0 ORDER BY seq LIMIT ?',
    )
    .raw();
  const q2 = db
    .prepare(
      'SELECT seq, payload FROM starweave_journal WHERE persistence_id = ? AND seq > ? AND seq <= ? AND deleted = 0 ORDER BY seq LIMIT ?',
    )
    .raw();
  let t0 = cpu();
  let after = 0;
  let rows;
  do {
    rows = q.all('account-1', after, 1e15, 1000);
    after = rows.at(-1)?.[1];
  } while (rows.length === 1000);
  const a = ((cpu() - t0) / N) * 1000;
  t0 = cpu();
  after = 0;
  do {
    rows = q2.all('account-1', after, 1e15, 1000);
    after = rows.at(-1)?.[0];
  } while (rows.length === 1000);
  const b = ((cpu() - t0) / N) * 1000;
  t0 = cpu();
  after = 0;
  let sum = 0;
  do {
    rows = q2.all('account-1', after, 1e15, 1000);
    for (const row of rows)
      sum += decode(new Uint8Array(row[1].buffer, row[1].byteOffset, row[1].byteLength)).amount;
    after = rows.at(-1)?.[0];
  } while (rows.length === 1000);
  const c = ((cpu() - t0) / N) * 1000;
  db.close();
  const jj = await SqliteJournal.open({ filename: file });
  t0 = cpu();
  sum = 0;
  for await (const e of jj.replay('account-1')) sum += e.payload.amount;
  const d = ((cpu() - t0) / N) * 1000;
  await jj.close();
  console.log(
    `µs CPU/event: 9 columns ${a.toFixed(2)}, 2 columns ${b.toFixed(2)}, 2 columns+decode ${c.toFixed(2)}, journal.replay ${d.toFixed(2)}`,
  );
}
rmSync(dir, { recursive: true });
