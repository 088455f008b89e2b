// The default and parameter tables of docs/language.md, docs/training.md and
// docs/routers.md are generated from the schema and the router table; this fails
// when a doc is stale, and ties the generated defaults to what the builder fills in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DOCS, defaultText, withGeneratedTables } from '../../compiler/doc-tables.ts';
import { TRAIN_FIELDS, OPTIMIZER_FUNCTIONS } from '../../compiler/check/schema.ts';
import { defaultTrain } from '../../compiler/check/build.ts';
import { ROUTERS } from '../../compiler/routers/index.ts';
import { modelOf } from './harness.ts';

const root = join(import.meta.dirname, '..', '..');

describe('generated doc tables', () => {
  for (const [doc, regions] of Object.entries(GENERATED_DOCS)) {
    it(`${doc} is in step with the tables`, () => {
      const text = readFileSync(join(root, doc), 'utf8');
      expect(withGeneratedTables(text, regions) === text, `${doc} is out of date: run \`node bin/run-ts.mjs scripts/gen-tables-doc.ts\``).toBe(true);
    });
  }

  it('refuses a doc that lost its markers', () => {
    expect(() => withGeneratedTables('no markers here', ['router-params'])).toThrow(/no generated region 'router-params'/);
  });

  it('documents the defaults the train builder fills in', () => {
    const t = defaultTrain('m');
    expect(defaultText(TRAIN_FIELDS.batch!)).toBe(String(t.batch));
    expect(defaultText(TRAIN_FIELDS.seed!)).toBe(String(t.seed));
    expect(defaultText(TRAIN_FIELDS.loss!)).toBe(`\`${t.loss}\``);
    expect(t.epochs).toBe(1);
    expect(t.optimizer).toEqual({ kind: 'adamw', lr: 1e-3, weightDecay: 1e-4, b1: 0.9, b2: 0.999, clip: 1 });
    expect(defaultText(OPTIMIZER_FUNCTIONS.adamw!.weight_decay!)).toBe('0.0001');
    expect(t.data).toEqual({ kind: 'mnist', args: { train: 8000, test: 2000 } });
    expect(t.schedule).toEqual({ kind: 'cosine', warmup: 0 });
  });

  it('documents the router defaults the router table resolves', () => {
    const model = (router: string) => `model m {\n  image: 8x8x1, patch: 2, width: 8, depth: 1, heads: 2, mlp: 16, classes: 10\n  blocks all: moe(${router})\n}\n`;
    const layer = modelOf(model('token_choice(experts: 4)')).blocks[0]!;
    if (layer.kind !== 'moe' || layer.router.family !== 'token_choice') throw new Error('expected token choice');
    const p = ROUTERS.token_choice.params;
    expect(defaultText(p.k!)).toBe(String(layer.router.k));
    expect(defaultText(p.rounding!)).toBe(`\`${layer.router.rounding}\``);
    expect(defaultText(p.multiple_of!)).toBe(String(layer.router.multipleOf));
    expect(layer.router.group).toBe(16); // "one image's tokens"
    expect(layer.router.importanceLoss).toBe(0.005); // "0.005 with softmax"
  });
});
