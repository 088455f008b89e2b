// CST → typed AST. Chevrotain's error recovery can leave nodes with missing children or
// with tokens it invented (`isInsertedInRecovery`), so every builder here is defensive:
// a node missing a required part is dropped (its syntax error is already reported) and
// spans are made from real tokens only.
import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.ts';
import type { Diagnostic, Span } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/catalogue.ts';
import { isRealToken, joinSpans, tokenSpan } from './source.ts';
import { unescapeString } from './lexer.ts';

type Child = CstNode | IToken;

function isNode(c: Child | undefined): c is CstNode {
  return c !== undefined && (c as CstNode).children !== undefined;
}

export class AstBuilder {
  constructor(
    private readonly file: string,
    private readonly diagnostics: Diagnostic[],
  ) {}

  // ------------------------------------------------------------ CST access

  private node(n: CstNode, key: string, i = 0): CstNode | undefined {
    const c = n.children[key]?.[i];
    return isNode(c) ? c : undefined;
  }

  private nodes(n: CstNode, key: string): CstNode[] {
    return (n.children[key] ?? []).filter(isNode);
  }

  /** A real token (never one inserted by recovery). */
  private token(n: CstNode, key: string, i = 0): IToken | undefined {
    const c = n.children[key]?.[i];
    return !isNode(c) && isRealToken(c) ? c : undefined;
  }

  private tokens(n: CstNode, key: string): IToken[] {
    return (n.children[key] ?? []).filter((c): c is IToken => !isNode(c) && isRealToken(c));
  }

  private span(token: IToken): Span {
    return tokenSpan(this.file, token);
  }

  private identifier(token: IToken | undefined): A.Identifier | undefined {
    if (!token || token.image === '') return undefined;
    return { kind: 'Identifier', name: token.image, span: this.span(token) };
  }

  // ------------------------------------------------------------ declarations

  declaration(cst: CstNode): A.Declaration | undefined {
    const importDecl = this.node(cst, 'importDecl');
    if (importDecl) return this.importDecl(importDecl);
    const routerDecl = this.node(cst, 'routerDecl');
    if (routerDecl) return this.routerDecl(routerDecl);
    const modelDecl = this.node(cst, 'modelDecl');
    if (modelDecl) return this.modelDecl(modelDecl);
    const trainDecl = this.node(cst, 'trainDecl');
    if (trainDecl) return this.trainDecl(trainDecl);
    return undefined;
  }

  private importDecl(n: CstNode): A.ImportDeclaration | undefined {
    const kw = this.token(n, 'Import');
    const str = this.token(n, 'StringLiteral');
    if (!kw || !str) return undefined;
    const path = this.stringLiteral(str);
    return { kind: 'ImportDeclaration', path, span: joinSpans(this.span(kw), path.span) };
  }

  private routerDecl(n: CstNode): A.RouterDeclaration | undefined {
    const kw = this.token(n, 'Router');
    const name = this.identifier(this.token(n, 'Identifier'));
    const callNode = this.node(n, 'call');
    const value = callNode ? this.call(callNode) : undefined;
    if (!kw || !name || !value) return undefined;
    return { kind: 'RouterDeclaration', name, value, span: joinSpans(this.span(kw), value.span) };
  }

  private modelDecl(n: CstNode): A.ModelDeclaration | undefined {
    const kw = this.token(n, 'Model');
    const name = this.identifier(this.token(n, 'name'));
    if (!kw || !name) return undefined;
    const base = this.token(n, 'Extends') ? this.identifier(this.token(n, 'base')) : undefined;
    const members: (A.Field | A.BlockRule)[] = [];
    for (const m of this.nodes(n, 'member')) {
      const fieldNode = this.node(m, 'field');
      const ruleNode = this.node(m, 'blockRule');
      const member = fieldNode ? this.field(fieldNode) : ruleNode ? this.blockRule(ruleNode) : undefined;
      if (member) members.push(member);
    }
    this.checkSeparators(members, this.tokens(n, 'Comma'));
    const end = this.token(n, 'RCurly') ?? this.token(n, 'LCurly');
    const lastSpan = end ? this.span(end) : members.at(-1)?.span ?? base?.span ?? name.span;
    return {
      kind: 'ModelDeclaration',
      name,
      ...(base ? { base } : {}),
      members,
      span: joinSpans(this.span(kw), lastSpan),
    };
  }

  private trainDecl(n: CstNode): A.TrainDeclaration | undefined {
    const kw = this.token(n, 'Train');
    const name = this.identifier(this.token(n, 'Identifier'));
    if (!kw || !name) return undefined;
    const fields: A.Field[] = [];
    for (const m of this.nodes(n, 'member')) {
      const fieldNode = this.node(m, 'field');
      const field = fieldNode ? this.field(fieldNode) : undefined;
      if (field) fields.push(field);
      const ruleNode = this.node(m, 'blockRule');
      const blocks = ruleNode ? this.token(ruleNode, 'Blocks') : undefined;
      if (blocks) {
        this.diagnostics.push(
          diagnostic('MOE0111', 'block rules belong in a model, not in a train declaration', this.span(blocks), {
            help: 'move this rule into the model that the train declaration uses',
          }),
        );
      }
    }
    this.checkSeparators(fields, this.tokens(n, 'Comma'));
    const end = this.token(n, 'RCurly') ?? this.token(n, 'LCurly');
    const lastSpan = end ? this.span(end) : fields.at(-1)?.span ?? name.span;
    return { kind: 'TrainDeclaration', name, fields, span: joinSpans(this.span(kw), lastSpan) };
  }

  /** Members on one line need a comma between them (language.md §2). */
  private checkSeparators(members: readonly (A.Field | A.BlockRule)[], commas: readonly IToken[]): void {
    for (let i = 1; i < members.length; i++) {
      const prev = members[i - 1].span;
      const next = members[i].span;
      if (prev.end.line !== next.start.line) continue;
      const separated = commas.some((c) => c.startOffset >= prev.end.offset && c.startOffset < next.start.offset);
      if (!separated) {
        this.diagnostics.push(
          diagnostic('MOE0105', `expected ',' or a line break before '${members[i].kind === 'Field' ? (members[i] as A.Field).name.name : 'blocks'}'`, { file: this.file, start: next.start, end: next.start }, {
            help: "put each field on its own line, or separate them with ','",
          }),
        );
      }
    }
  }

  // ------------------------------------------------------------ fields and block rules

  private field(n: CstNode): A.Field | undefined {
    const name = this.identifier(this.token(n, 'FieldName'));
    const exprNode = this.node(n, 'expression');
    const value = exprNode ? this.expression(exprNode) : undefined;
    if (!name || !value) return undefined;
    return { kind: 'Field', name, value, span: joinSpans(name.span, value.span) };
  }

  private blockRule(n: CstNode): A.BlockRule | undefined {
    const kw = this.token(n, 'Blocks');
    const selNode = this.node(n, 'selector');
    const layerNode = this.node(n, 'layer');
    const selector = selNode ? this.selector(selNode) : undefined;
    const layer = layerNode ? this.layer(layerNode) : undefined;
    if (!kw || !selector || !layer) return undefined;
    return { kind: 'BlockRule', selector, layer, span: joinSpans(this.span(kw), layer.span) };
  }

  private selector(n: CstNode): A.BlockSelector | undefined {
    const all = this.token(n, 'All');
    if (all) return { kind: 'AllSelector', span: this.span(all) };
    const first = this.token(n, 'First');
    const last = this.token(n, 'Last');
    if (first || last) {
      const kw = (first ?? last)!;
      const countTok = this.token(n, 'NumberLiteral');
      if (!countTok) return undefined;
      const count = this.number(countTok);
      return { kind: first ? 'FirstSelector' : 'LastSelector', count, span: joinSpans(this.span(kw), count.span) };
    }
    const every = this.token(n, 'Every');
    if (every) {
      const stepTok = this.token(n, 'step');
      if (!stepTok) return undefined;
      const step = this.number(stepTok);
      const fromTok = this.token(n, 'From') ? this.token(n, 'from') : undefined;
      const from = fromTok ? this.number(fromTok) : undefined;
      return { kind: 'EverySelector', step, ...(from ? { from } : {}), span: joinSpans(this.span(every), (from ?? step).span) };
    }
    const items: (A.IndexItem | A.RangeItem)[] = [];
    for (const itemNode of this.nodes(n, 'selectorItem')) {
      const fromTok = this.token(itemNode, 'NumberLiteral', 0);
      if (!fromTok) continue;
      const index = this.number(fromTok);
      const toTok = this.token(itemNode, 'DotDot') ? this.token(itemNode, 'NumberLiteral', 1) : undefined;
      if (toTok) {
        const to = this.number(toTok);
        items.push({ kind: 'RangeItem', from: index, to, span: joinSpans(index.span, to.span) });
      } else {
        items.push({ kind: 'IndexItem', index, span: index.span });
      }
    }
    if (items.length === 0) return undefined;
    return { kind: 'ListSelector', items, span: joinSpans(items[0].span, items[items.length - 1].span) };
  }

  private layer(n: CstNode): A.Layer | undefined {
    const dense = this.token(n, 'Dense');
    if (dense) return { kind: 'DenseLayer', span: this.span(dense) };
    const moe = this.token(n, 'Moe');
    const refNode = this.node(n, 'routerRef');
    if (!moe || !refNode) return undefined;
    const router = this.routerRef(refNode);
    if (!router) return undefined;
    const args = this.nodes(n, 'argument')
      .map((a) => this.argument(a))
      .filter((a): a is A.Argument => a !== undefined);
    const close = this.token(n, 'RParen');
    const lastSpan = close ? this.span(close) : (args.at(-1) ?? router).span;
    return { kind: 'MoeLayer', router, args, span: joinSpans(this.span(moe), lastSpan) };
  }

  private routerRef(n: CstNode): A.Identifier | A.CallExpression | undefined {
    const name = this.identifier(this.token(n, 'Identifier'));
    if (!name) return undefined;
    const args = this.node(n, 'callArgs');
    return args ? this.callFrom(name, args) : name;
  }

  // ------------------------------------------------------------ calls and arguments

  private call(n: CstNode): A.CallExpression | undefined {
    const callee = this.identifier(this.token(n, 'Identifier'));
    const argsNode = this.node(n, 'callArgs');
    if (!callee || !argsNode) return undefined;
    return this.callFrom(callee, argsNode);
  }

  /** Builds `callee(args)` from a callArgs node. */
  private callFrom(callee: A.Identifier, n: CstNode): A.CallExpression {
    const args = this.nodes(n, 'argument')
      .map((a) => this.argument(a))
      .filter((a): a is A.Argument => a !== undefined);
    const close = this.token(n, 'RParen');
    const open = this.token(n, 'LParen');
    const lastSpan = close ? this.span(close) : args.length > 0 ? args[args.length - 1].span : open ? this.span(open) : callee.span;
    return { kind: 'CallExpression', callee, args, span: joinSpans(callee.span, lastSpan) };
  }

  private argument(n: CstNode): A.Argument | undefined {
    const nameTok = this.token(n, 'FieldName');
    const name = nameTok ? this.identifier(nameTok) : undefined;
    const exprNode = this.node(n, 'expression');
    const value = exprNode ? this.expression(exprNode) : undefined;
    if (!value) return undefined;
    return { kind: 'Argument', ...(name ? { name } : {}), value, span: joinSpans(name?.span ?? value.span, value.span) };
  }

  // ------------------------------------------------------------ expressions

  /** Left-associative chain `operand (op operand)*`. */
  private chain(n: CstNode, operandKey: string, opKey: string, operand: (c: CstNode) => A.Expression | undefined): A.Expression | undefined {
    const operands = this.nodes(n, operandKey);
    const ops = this.tokens(n, opKey);
    let left = operands[0] ? operand(operands[0]) : undefined;
    if (!left) return undefined;
    for (let i = 0; i < ops.length && i + 1 < operands.length; i++) {
      const right = operand(operands[i + 1]);
      if (!right) break;
      left = {
        kind: 'BinaryExpression',
        operator: ops[i].image as A.BinaryOperator,
        left,
        right,
        span: joinSpans(left.span, right.span),
      };
    }
    return left;
  }

  expression(n: CstNode): A.Expression | undefined {
    return this.chain(n, 'term', 'AdditiveOperator', (c) => this.term(c));
  }

  private term(n: CstNode): A.Expression | undefined {
    return this.chain(n, 'unary', 'MultiplicativeOperator', (c) => this.unary(c));
  }

  /** `- - x`: signs folded from the innermost outwards. */
  private unary(n: CstNode): A.Expression | undefined {
    const primaryNode = this.node(n, 'primary');
    let expr = primaryNode ? this.primary(primaryNode) : undefined;
    if (!expr) return undefined;
    const signs = this.tokens(n, 'AdditiveOperator');
    for (let i = signs.length - 1; i >= 0; i--) {
      expr = { kind: 'UnaryExpression', operator: signs[i].image as '-' | '+', operand: expr, span: joinSpans(this.span(signs[i]), expr.span) };
    }
    return expr;
  }

  private primary(n: CstNode): A.Expression | undefined {
    const num = this.token(n, 'NumberLiteral');
    if (num) return this.number(num);
    const str = this.token(n, 'StringLiteral');
    if (str) return this.stringLiteral(str);
    const dim = this.token(n, 'Dimension');
    if (dim) return this.dimension(dim);
    const bool = this.token(n, 'True') ?? this.token(n, 'False');
    if (bool) return { kind: 'BooleanLiteral', value: bool.image === 'true', span: this.span(bool) };
    const inner = this.node(n, 'expression');
    if (inner) {
      const expression = this.expression(inner);
      const open = this.token(n, 'LParen');
      if (!expression || !open) return expression;
      const close = this.token(n, 'RParen');
      return { kind: 'ParenExpression', expression, span: joinSpans(this.span(open), close ? this.span(close) : expression.span) };
    }
    const name = this.identifier(this.token(n, 'Identifier'));
    if (!name) return undefined;
    const args = this.node(n, 'callArgs');
    return args ? this.callFrom(name, args) : name;
  }

  // ------------------------------------------------------------ literals

  private number(token: IToken): A.NumberLiteral {
    const raw = token.image;
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      this.diagnostics.push(diagnostic('MOE0110', `number '${raw.length > 24 ? raw.slice(0, 24) + '…' : raw}' is too large`, this.span(token)));
    }
    return { kind: 'NumberLiteral', value, raw, isInteger: /^\d+$/.test(raw), span: this.span(token) };
  }

  private stringLiteral(token: IToken): A.StringLiteral {
    return { kind: 'StringLiteral', value: unescapeString(token.image), span: this.span(token) };
  }

  private dimension(token: IToken): A.DimensionLiteral {
    const dims = token.image.split('x').map(Number);
    if (dims.some((d) => !Number.isSafeInteger(d))) {
      this.diagnostics.push(diagnostic('MOE0110', `dimension '${token.image.length > 24 ? token.image.slice(0, 24) + '…' : token.image}' has a side that is too large`, this.span(token)));
    }
    return { kind: 'DimensionLiteral', dims, raw: token.image, span: this.span(token) };
  }
}
