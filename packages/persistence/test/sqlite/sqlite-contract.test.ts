/**
 * The shared journal and snapshot tests, run on an SQLite file and on `':memory:'`.
 */
import { journalContract } from '../contract/journal-contract.js';
import { snapshotContract } from '../contract/snapshot-contract.js';
import { sqliteFileFixture, sqliteMemoryFixture } from './fixtures.js';

journalContract('SQLite file', sqliteFileFixture);
journalContract('SQLite :memory:', sqliteMemoryFixture);
snapshotContract('SQLite file', sqliteFileFixture);
snapshotContract('SQLite :memory:', sqliteMemoryFixture);
