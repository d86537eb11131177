/**
 * Draws a supervision tree, as `Supervisor.tree` returns it, as indented text.
 */
import type { SupervisorTree, TreeNode } from '@starweave/supervision';

/** Returns the tree as lines of text, one process a line, children indented under parents. */
export function formatTree(tree: SupervisorTree): string {
  const lines = [`${tree.name ?? 'supervisor'} ${tree.pid} (${tree.strategy})`];
  drawChildren(tree.children, '', lines);
  return lines.join('\n');
}

function drawChildren(children: readonly TreeNode[], indent: string, lines: string[]): void {
  children.forEach((child, index) => {
    const last = index === children.length - 1;
    const sub = child.supervisor;
    const pid = child.pid === undefined ? child.status : String(child.pid);
    const kind = sub === undefined ? child.type : `supervisor, ${sub.strategy}`;
    lines.push(`${indent}${last ? '└── ' : '├── '}${child.id ?? '(dynamic)'} ${pid} (${kind})`);
    if (sub !== undefined) drawChildren(sub.children, indent + (last ? '    ' : '│   '), lines);
  });
}
