// The chain of AST nodes under a cursor offset, outermost first. A cursor right
// after a name (offset = end) still counts as on it, as editors expect.
import type { AstNode, SpecFile } from '../../grammar/ast.ts';

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string' && 'span' in value;
}

export function nodesAt(file: SpecFile, offset: number): AstNode[] {
  const chain: AstNode[] = [];
  const visit = (node: AstNode): void => {
    chain.push(node);
    for (const [key, value] of Object.entries(node)) {
      if (key === 'span' || key === 'comments') continue;
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (!isNode(child)) continue;
        if (child.span.start.offset <= offset && offset <= child.span.end.offset && child.span.file === file.path) {
          visit(child);
          return;
        }
      }
    }
  };
  visit(file);
  return chain;
}

/** The innermost node of one of `kinds` in a chain, if any. */
export function innermost<K extends AstNode['kind']>(chain: readonly AstNode[], ...kinds: K[]): Extract<AstNode, { kind: K }> | undefined {
  for (let i = chain.length - 1; i >= 0; i--) if ((kinds as string[]).includes(chain[i].kind)) return chain[i] as Extract<AstNode, { kind: K }>;
  return undefined;
}
