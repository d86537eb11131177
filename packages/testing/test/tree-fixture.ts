/**
 * A small supervision tree made of plain processes, because this package depends on the actors
 * package alone. Every supervisor restarts any child that exits, one for one. It exits when an
 * exit signal comes from outside its children.
 */
import type { ActorSystem, ExitMessage, Pid, ProcessContext } from '@starweave/actors';
import type { ProcessTree, TreeChild } from '@starweave/testing';

/** The live pid of each child id, updated on every restart. */
export type PidTable = Map<string, Pid>;

function supervisorBody(children: TreeChild[], table: PidTable) {
  return async (self: ProcessContext) => {
    self.trapExit(true);
    const byPid = new Map<number, TreeChild>();
    const start = (child: TreeChild) => {
      const pid =
        child.type === 'worker'
          ? self.spawnLink({ handleMessage() {} })
          : self.spawnLink(supervisorBody(child.children, table));
      table.set(child.id, pid);
      byPid.set(pid.id, child);
    };
    for (const child of children) start(child);
    for (;;) {
      const exit = (await self.receive({ type: 'EXIT' })) as ExitMessage;
      const child = byPid.get(exit.from.id);
      if (child === undefined) {
        self.exit(exit.reason);
        return;
      }
      byPid.delete(exit.from.id);
      start(child);
    }
  };
}

/** Starts `tree` under a root supervisor and returns its pid and the table of child pids. */
export function startTree(system: ActorSystem, tree: ProcessTree): { root: Pid; table: PidTable } {
  const table: PidTable = new Map();
  const root = system.spawn(supervisorBody(tree.children, table));
  return { root, table };
}
