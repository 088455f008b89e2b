// The Chevrotain grammar of .moe (docs/language.md). It builds a CST only; build-ast.ts
// turns that into the typed AST. One instance serves the whole process (Chevrotain's
// advice: building a parser runs its grammar analysis, which is the slow part).
//
//   declaration  := importDecl | routerDecl | modelDecl | trainDecl
//   importDecl   := 'import' String
//   routerDecl   := 'router' Name '=' call
//   modelDecl    := 'model' Name ('extends' Name)? '{' (member ','?)* '}'
//   trainDecl    := 'train' Name '{' (member ','?)* '}'   (block rules rejected by build-ast.ts)
//   member       := blockRule | field
//   field        := FieldName ':' expression
//   blockRule    := 'blocks' selector ':' layer
//   selector     := 'all' | 'first' Num | 'last' Num | 'every' Num ('from' Num)? | item (',' item)*
//   item         := Num ('..' Num)?
//   layer        := 'dense' | 'moe' '(' routerRef (',' argument)* ','? ')'
//   routerRef    := Name callArgs?
//   call         := Name callArgs
//   callArgs     := '(' (argument (',' argument)* ','?)? ')'
//   argument     := (FieldName ':')? expression
//   expression   := term (('+' | '-') term)*
//   term         := unary (('*' | '/' | '%') unary)*
//   unary        := ('-' | '+')* primary
//   primary      := Num | String | Dimension | 'true' | 'false' | '(' expression ')' | Name callArgs?
//                   (a Name followed by ':' is never a value: it is the next field)
import { CstParser, tokenMatcher, type CstNode, type IOrAlt, type IToken } from 'chevrotain';
import * as t from './tokens.ts';
import { errorMessages } from './errors.ts';

class MoeParser extends CstParser {
  // OR alternatives are built once and reused (Chevrotain's performance guide): building
  // fresh closures on every call costs allocations on the hot path.
  private altDeclaration?: IOrAlt<unknown>[];
  private altMember?: IOrAlt<unknown>[];
  private altSelector?: IOrAlt<unknown>[];
  private altLayer?: IOrAlt<unknown>[];
  private altPrimary?: IOrAlt<unknown>[];

  constructor() {
    super(t.allTokens as never, {
      recoveryEnabled: true,
      maxLookahead: 3,
      errorMessageProvider: errorMessages,
    });
    this.performSelfAnalysis();
  }

  declaration = this.RULE('declaration', () => {
    this.OR((this.altDeclaration ??= [
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.routerDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.trainDecl) },
    ]));
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(t.Import);
    this.CONSUME(t.StringLiteral);
  });

  routerDecl = this.RULE('routerDecl', () => {
    this.CONSUME(t.Router);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.call);
  });

  modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(t.Model);
    this.CONSUME1(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(t.Extends);
      this.CONSUME2(t.Identifier, { LABEL: 'base' });
    });
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.member);
      this.OPTION2(() => this.CONSUME(t.Comma));
    });
    this.CONSUME(t.RCurly);
  });

  trainDecl = this.RULE('trainDecl', () => {
    this.CONSUME(t.Train);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LCurly);
    // Block rules parse here too (and are reported by the AST builder): better recovery.
    this.MANY(() => {
      this.SUBRULE(this.member);
      this.OPTION(() => this.CONSUME(t.Comma));
    });
    this.CONSUME(t.RCurly);
  });

  member = this.RULE('member', () => {
    this.OR((this.altMember ??= [
      { ALT: () => this.SUBRULE(this.blockRule) },
      { ALT: () => this.SUBRULE(this.field) },
    ]));
  });

  field = this.RULE('field', () => {
    this.CONSUME(t.FieldName);
    this.CONSUME(t.Colon);
    this.SUBRULE(this.expression);
  });

  blockRule = this.RULE('blockRule', () => {
    this.CONSUME(t.Blocks);
    this.SUBRULE(this.selector);
    this.CONSUME(t.Colon);
    this.SUBRULE(this.layer);
  });

  selector = this.RULE('selector', () => {
    this.OR((this.altSelector ??= [
      { ALT: () => this.CONSUME(t.All) },
      {
        ALT: () => {
          this.CONSUME(t.First);
          this.CONSUME1(t.NumberLiteral);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Last);
          this.CONSUME2(t.NumberLiteral);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Every);
          this.CONSUME3(t.NumberLiteral, { LABEL: 'step' });
          this.OPTION(() => {
            this.CONSUME(t.From);
            this.CONSUME4(t.NumberLiteral, { LABEL: 'from' });
          });
        },
      },
      {
        ALT: () => {
          this.SUBRULE1(this.selectorItem);
          this.MANY(() => {
            this.CONSUME(t.Comma);
            this.SUBRULE2(this.selectorItem);
          });
        },
      },
    ]));
  });

  selectorItem = this.RULE('selectorItem', () => {
    this.CONSUME1(t.NumberLiteral);
    this.OPTION(() => {
      this.CONSUME(t.DotDot);
      this.CONSUME2(t.NumberLiteral);
    });
  });

  layer = this.RULE('layer', () => {
    this.OR((this.altLayer ??= [
      { ALT: () => this.CONSUME(t.Dense) },
      {
        ALT: () => {
          this.CONSUME(t.Moe);
          this.CONSUME(t.LParen);
          this.SUBRULE(this.routerRef);
          this.MANY(() => {
            this.CONSUME(t.Comma);
            this.SUBRULE(this.argument);
          });
          this.OPTION(() => this.CONSUME2(t.Comma));
          this.CONSUME(t.RParen);
        },
      },
    ]));
  });

  routerRef = this.RULE('routerRef', () => {
    this.CONSUME(t.Identifier);
    this.OPTION(() => this.SUBRULE(this.callArgs));
  });

  call = this.RULE('call', () => {
    this.CONSUME(t.Identifier);
    this.SUBRULE(this.callArgs);
  });

  callArgs = this.RULE('callArgs', () => {
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.SUBRULE1(this.argument);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.argument);
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    this.CONSUME(t.RParen);
  });

  argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(t.FieldName);
      this.CONSUME(t.Colon);
    });
    this.SUBRULE(this.expression);
  });

  expression = this.RULE('expression', () => {
    this.SUBRULE1(this.term);
    this.MANY(() => {
      this.CONSUME(t.AdditiveOperator);
      this.SUBRULE2(this.term);
    });
  });

  term = this.RULE('term', () => {
    this.SUBRULE1(this.unary);
    this.MANY(() => {
      this.CONSUME(t.MultiplicativeOperator);
      this.SUBRULE2(this.unary);
    });
  });

  /** Signs are collected in a loop (not by recursion), so `------x` costs no stack. */
  unary = this.RULE('unary', () => {
    this.MANY(() => this.CONSUME(t.AdditiveOperator));
    this.SUBRULE(this.primary);
  });

  primary = this.RULE('primary', () => {
    this.OR((this.altPrimary ??= [
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.Dimension) },
      { ALT: () => this.CONSUME(t.True) },
      { ALT: () => this.CONSUME(t.False) },
      {
        ALT: () => {
          this.CONSUME(t.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(t.RParen);
        },
      },
      {
        // `name:` is the next field, never a value (`width:` with its value missing).
        GATE: () => !tokenMatcher(this.LA(2), t.Colon),
        ALT: () => {
          this.CONSUME(t.Identifier);
          this.OPTION(() => this.SUBRULE(this.callArgs));
        },
      },
    ]));
  });
}

let instance: MoeParser | undefined;

/** The shared parser, built on first use. */
export function moeParser(): MoeParser {
  instance ??= new MoeParser();
  return instance;
}

export type { MoeParser };

/** Parses one declaration's tokens; Chevrotain collects the errors on the instance. */
export function parseDeclaration(tokens: IToken[]): { cst: CstNode | undefined; errors: MoeParser['errors'] } {
  const parser = moeParser();
  parser.input = tokens;
  const cst = parser.declaration();
  return { cst, errors: parser.errors };
}
