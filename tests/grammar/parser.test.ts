// The shape of the AST for each construct, spans of expressions and arguments, and the
// wording of the most common syntax errors.
import { describe, expect, it } from 'vitest';
import type { BinaryExpression, CallExpression, Field, ModelDeclaration, TrainDeclaration } from '../../grammar/ast.ts';
import { parse, printExpression } from '../../grammar/index.ts';
import { withoutSpans } from './helpers.ts';

function model(text: string): ModelDeclaration {
  const { file, diagnostics } = parse(text, 't.moe');
  expect(diagnostics).toEqual([]);
  return file.declarations[0] as ModelDeclaration;
}

function value(expr: string) {
  return (model(`model m { v: ${expr} }`).members[0] as Field).value;
}

function errors(text: string): string[] {
  return parse(text, 't.moe').diagnostics.map((d) => `${d.span?.start.line}:${d.span?.start.column} ${d.code} ${d.message}`);
}

function source(text: string, node: { span: { start: { offset: number }; end: { offset: number } } }): string {
  return text.slice(node.span.start.offset, node.span.end.offset);
}

describe('expressions', () => {
  it('binds * / % tighter than + - and associates to the left', () => {
    expect(printExpression(value('1 + 2 * 3 - 4 % 5 / 6'))).toBe('1 + 2 * 3 - 4 % 5 / 6');
    const e = value('10 - 2 - 3') as BinaryExpression;
    expect(e.operator).toBe('-');
    expect(printExpression(e.left)).toBe('10 - 2');
    const p = value('2 * width + 1') as BinaryExpression;
    expect(p.operator).toBe('+');
    expect((p.left as BinaryExpression).operator).toBe('*');
  });

  it('keeps parentheses and unary signs', () => {
    expect(withoutSpans(value('-(a + 1)'))).toEqual({
      kind: 'UnaryExpression',
      operator: '-',
      operand: {
        kind: 'ParenExpression',
        expression: {
          kind: 'BinaryExpression',
          operator: '+',
          left: { kind: 'Identifier', name: 'a' },
          right: { kind: 'NumberLiteral', value: 1, raw: '1', isInteger: true },
        },
      },
    });
  });

  it('reads literals with their values', () => {
    expect(withoutSpans(value('1e-3'))).toEqual({ kind: 'NumberLiteral', value: 0.001, raw: '1e-3', isInteger: false });
    expect(withoutSpans(value('.5'))).toMatchObject({ value: 0.5, isInteger: false });
    expect(withoutSpans(value('"a\\"b\\\\c"'))).toEqual({ kind: 'StringLiteral', value: 'a"b\\c' });
    expect(withoutSpans(value('224x224x3'))).toEqual({ kind: 'DimensionLiteral', dims: [224, 224, 3], raw: '224x224x3' });
    expect(withoutSpans(value('false'))).toEqual({ kind: 'BooleanLiteral', value: false });
  });

  it('gives every expression node and every call argument its own span', () => {
    const text = 'train t { optimizer: adamw(lr: 2 * 1e-3, 0.9) }';
    const { file } = parse(text, 't.moe');
    const call = ((file.declarations[0] as TrainDeclaration).fields[0].value) as CallExpression;
    expect(source(text, call)).toBe('adamw(lr: 2 * 1e-3, 0.9)');
    expect(source(text, call.callee)).toBe('adamw');
    expect(call.args.map((a) => source(text, a))).toEqual(['lr: 2 * 1e-3', '0.9']);
    expect(source(text, call.args[0].name!)).toBe('lr');
    const product = call.args[0].value as BinaryExpression;
    expect([source(text, product), source(text, product.left), source(text, product.right)]).toEqual(['2 * 1e-3', '2', '1e-3']);
    expect(call.args[1].name).toBeUndefined();
  });
});

describe('declarations', () => {
  it('reads imports, named routers and extends', () => {
    const { file, diagnostics } = parse('import "base.moe"\nrouter r = soft(experts: 8)\nmodel m extends base { }', 't.moe');
    expect(diagnostics).toEqual([]);
    expect(file.declarations.map((d) => d.kind)).toEqual(['ImportDeclaration', 'RouterDeclaration', 'ModelDeclaration']);
    expect(withoutSpans(file.declarations[0])).toEqual({ kind: 'ImportDeclaration', path: { kind: 'StringLiteral', value: 'base.moe' } });
    expect((file.declarations[2] as ModelDeclaration).base?.name).toBe('base');
  });

  it('reads every block selector', () => {
    const m = model(`model m {
      blocks all: dense
      blocks first 4: dense
      blocks last 6: dense
      blocks every 2: dense
      blocks every 3 from 0: dense
      blocks 2..5: dense
      blocks 9, 11: dense
      blocks 0..2, 7: dense
    }`);
    const selectors = m.members.map((r) => (r.kind === 'BlockRule' ? withoutSpans(r.selector) : null));
    const n = (v: number) => ({ kind: 'NumberLiteral', value: v, raw: String(v), isInteger: true });
    expect(selectors).toEqual([
      { kind: 'AllSelector' },
      { kind: 'FirstSelector', count: n(4) },
      { kind: 'LastSelector', count: n(6) },
      { kind: 'EverySelector', step: n(2) },
      { kind: 'EverySelector', step: n(3), from: n(0) },
      { kind: 'ListSelector', items: [{ kind: 'RangeItem', from: n(2), to: n(5) }] },
      { kind: 'ListSelector', items: [{ kind: 'IndexItem', index: n(9) }, { kind: 'IndexItem', index: n(11) }] },
      { kind: 'ListSelector', items: [{ kind: 'RangeItem', from: n(0), to: n(2) }, { kind: 'IndexItem', index: n(7) }] },
    ]);
  });

  it('reads moe layers with a router name or an inline router, and extra arguments', () => {
    const m = model('model m { blocks all: moe(r), blocks 1: moe(soft(experts: 8), mlp: 512) }');
    const [named, inline] = m.members.map((r) => (r.kind === 'BlockRule' ? r.layer : undefined));
    expect(named).toMatchObject({ kind: 'MoeLayer', router: { kind: 'Identifier', name: 'r' }, args: [] });
    expect(inline).toMatchObject({
      kind: 'MoeLayer',
      router: { kind: 'CallExpression', callee: { name: 'soft' } },
      args: [{ kind: 'Argument', name: { name: 'mlp' }, value: { value: 512 } }],
    });
  });

  it('treats commas and newlines between fields alike', () => {
    const a = parse('model m { a: 1, b: 2 }', 't.moe').file.declarations;
    const b = parse('model m {\n  a: 1\n  b: 2\n}', 't.moe').file.declarations;
    expect(withoutSpans(a)).toEqual(withoutSpans(b));
  });

  it('lets reserved words name fields and arguments, not declarations', () => {
    const { file, diagnostics } = parse('train t { model: m, data: mnist(train: 10, test: 5) }', 't.moe');
    expect(diagnostics).toEqual([]);
    expect((file.declarations[0] as TrainDeclaration).fields.map((f) => f.name.name)).toEqual(['model', 'data']);
    expect(errors('model from { }')).toEqual(["1:7 MOE0104 expected a model name after 'model', found reserved keyword 'from'"]);
  });
});

describe('syntax errors', () => {
  it('explains a missing colon', () => {
    expect(errors('model m {\n  width 128\n}')).toEqual(["2:9 MOE0101 expected ':' after field name 'width', found '128'"]);
  });

  it('reports an error in every declaration, not only the first', () => {
    const found = errors('model a { width 1 }\nmodel b { depth: }\nrouter r = soft\ntrain t { seed 0 }\n');
    expect(found.map((e) => e.split(' ')[0])).toEqual(['1:17', '2:18', '3:16', '4:16']);
  });

  it('points just after the previous token when the next one is on a later line', () => {
    expect(errors('model m {\n  width:\n  depth: 6\n}')).toEqual(["2:9 MOE0101 expected a value after ':', found 'depth'"]);
  });

  it('reports the end of file', () => {
    expect(errors('model m {\n  width: 64\n')).toEqual(["2:12 MOE0106 expected '}' to close the model body, found end of file"]);
  });

  it('requires a separator between fields on one line', () => {
    expect(errors('model m { a: 1 b: 2 }')).toEqual(["1:16 MOE0105 expected ',' or a line break before 'b'"]);
  });

  it('never reports Chevrotain internals', () => {
    const all = errors('model m { blocks : moe(, ) }\nrouter = \ntrain { ] }\nmodel x extends { blocks 1..: }');
    expect(all.length).toBeGreaterThan(0);
    for (const e of all) expect(e).not.toMatch(/NoViableAlt|MismatchedToken|EarlyExit|one of these possible Token sequences|-->/);
  });

  it('keeps the declarations it could read when others are broken', () => {
    const { file } = parse('model a { width 1 }\nmodel b { depth: 2 }\n', 't.moe');
    expect(file.declarations.map((d) => (d as ModelDeclaration).name.name)).toEqual(['a', 'b']);
  });
});
