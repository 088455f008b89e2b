// The typed AST of a .moe file. Built from Chevrotain's CST by grammar/build-ast.ts;
// every later phase reads only these types (never the CST). Every node carries the
// span of the source text it came from.
import type { Span } from '../diagnostics/diagnostic.ts';

interface NodeBase {
  readonly span: Span;
}

// ---------------------------------------------------------------- expressions

export interface Identifier extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
}

export interface NumberLiteral extends NodeBase {
  readonly kind: 'NumberLiteral';
  readonly value: number;
  /** The source spelling (`1e-3`, `.5`), kept for the formatter. */
  readonly raw: string;
  /** True when written without a decimal point or exponent. */
  readonly isInteger: boolean;
}

export interface StringLiteral extends NodeBase {
  readonly kind: 'StringLiteral';
  /** The unescaped value. */
  readonly value: string;
}

export interface BooleanLiteral extends NodeBase {
  readonly kind: 'BooleanLiteral';
  readonly value: boolean;
}

/** `224x224x3`, `16x16`: a single token. */
export interface DimensionLiteral extends NodeBase {
  readonly kind: 'DimensionLiteral';
  readonly dims: readonly number[];
  readonly raw: string;
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '%';

export interface BinaryExpression extends NodeBase {
  readonly kind: 'BinaryExpression';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
}

export interface UnaryExpression extends NodeBase {
  readonly kind: 'UnaryExpression';
  readonly operator: '-' | '+';
  readonly operand: Expression;
}

/** `( expr )`, kept so the formatter reproduces the user's grouping. */
export interface ParenExpression extends NodeBase {
  readonly kind: 'ParenExpression';
  readonly expression: Expression;
}

/** One argument of a call: `lr: 1e-3` (named) or `128` (positional, `name` absent). */
export interface Argument extends NodeBase {
  readonly kind: 'Argument';
  readonly name?: Identifier;
  readonly value: Expression;
}

/** `soft(experts: 128)`, `adamw(lr: 1e-3)`, `mnist()`. */
export interface CallExpression extends NodeBase {
  readonly kind: 'CallExpression';
  readonly callee: Identifier;
  readonly args: readonly Argument[];
}

export type Expression =
  | Identifier
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | DimensionLiteral
  | BinaryExpression
  | UnaryExpression
  | ParenExpression
  | CallExpression;

// ---------------------------------------------------------------- fields and blocks

/** `name: value` inside a model or train block. */
export interface Field extends NodeBase {
  readonly kind: 'Field';
  readonly name: Identifier;
  readonly value: Expression;
}

export interface AllSelector extends NodeBase {
  readonly kind: 'AllSelector';
}
export interface FirstSelector extends NodeBase {
  readonly kind: 'FirstSelector';
  readonly count: NumberLiteral;
}
export interface LastSelector extends NodeBase {
  readonly kind: 'LastSelector';
  readonly count: NumberLiteral;
}
/** `every K [from S]`: without `from`, blocks K-1, 2K-1, … (V-MoE convention). */
export interface EverySelector extends NodeBase {
  readonly kind: 'EverySelector';
  readonly step: NumberLiteral;
  readonly from?: NumberLiteral;
}
export interface IndexItem extends NodeBase {
  readonly kind: 'IndexItem';
  readonly index: NumberLiteral;
}
/** `A..B`, inclusive. */
export interface RangeItem extends NodeBase {
  readonly kind: 'RangeItem';
  readonly from: NumberLiteral;
  readonly to: NumberLiteral;
}
/** `9, 11` or `0..2, 7` (also a single index or range). */
export interface ListSelector extends NodeBase {
  readonly kind: 'ListSelector';
  readonly items: readonly (IndexItem | RangeItem)[];
}

export type BlockSelector = AllSelector | FirstSelector | LastSelector | EverySelector | ListSelector;

export interface DenseLayer extends NodeBase {
  readonly kind: 'DenseLayer';
}

/** `moe(ROUTER [, name: value …])`; `router` is a router name or an inline `KIND(ARGS)`. */
export interface MoeLayer extends NodeBase {
  readonly kind: 'MoeLayer';
  readonly router: Identifier | CallExpression;
  /** Further named arguments, e.g. `mlp: 512`. */
  readonly args: readonly Argument[];
}

export type Layer = DenseLayer | MoeLayer;

/** `blocks SELECTOR: LAYER`. */
export interface BlockRule extends NodeBase {
  readonly kind: 'BlockRule';
  readonly selector: BlockSelector;
  readonly layer: Layer;
}

// ---------------------------------------------------------------- declarations

export interface ImportDeclaration extends NodeBase {
  readonly kind: 'ImportDeclaration';
  readonly path: StringLiteral;
}

/** `router NAME = KIND(ARGS)`. */
export interface RouterDeclaration extends NodeBase {
  readonly kind: 'RouterDeclaration';
  readonly name: Identifier;
  readonly value: CallExpression;
}

/** `model NAME [extends BASE] { … }`; `members` in source order. */
export interface ModelDeclaration extends NodeBase {
  readonly kind: 'ModelDeclaration';
  readonly name: Identifier;
  readonly base?: Identifier;
  readonly members: readonly (Field | BlockRule)[];
}

/** `train NAME { … }`. */
export interface TrainDeclaration extends NodeBase {
  readonly kind: 'TrainDeclaration';
  readonly name: Identifier;
  readonly fields: readonly Field[];
}

export type Declaration = ImportDeclaration | RouterDeclaration | ModelDeclaration | TrainDeclaration;

export interface Comment extends NodeBase {
  readonly kind: 'Comment';
  /** The text after `#`, without the line break. */
  readonly text: string;
}

export interface SpecFile extends NodeBase {
  readonly kind: 'SpecFile';
  /** The path as given (used in every span of this file). */
  readonly path: string;
  readonly declarations: readonly Declaration[];
  /** Every comment, in source order (the formatter re-attaches them). */
  readonly comments: readonly Comment[];
}

export type AstNode =
  | SpecFile
  | Declaration
  | Field
  | BlockRule
  | BlockSelector
  | IndexItem
  | RangeItem
  | Layer
  | Expression
  | Argument
  | Comment;
