// Choosing one model or train block of a program, with a clear diagnostic when
// the choice is ambiguous or names nothing.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/catalogue.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import type { ResolvedModel, ResolvedTrain } from './model.ts';
import type { Program } from './program.ts';

export interface Selected<T> {
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

function list(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

/**
 * The model named `name` (a model of the program or a standard preset); without a
 * name, the entry file's only model, else the model of its only train block.
 */
export function selectModel(program: Program, name?: string): Selected<ResolvedModel> {
  if (name !== undefined) {
    const m = program.models.get(name) ?? program.presets.get(name);
    if (m) return { value: m, diagnostics: [] };
    const declared = program.entryModels.includes(name);
    if (declared && hasErrors(program.diagnostics)) return { diagnostics: [] }; // its errors are already reported
    const help = didYouMean(name, [...program.models.keys(), ...program.presets.keys()]);
    return {
      diagnostics: [
        diagnostic('MOE0211', `no model named '${name}' in ${program.entry}`, undefined, {
          help: help ?? (program.entryModels.length ? `its models are ${list(program.entryModels)}` : 'the file declares no model'),
        }),
      ],
    };
  }
  const own = program.entryModels;
  if (own.length === 1) return selectModel(program, own[0]);
  if (own.length === 0 && program.entryTrains.length === 1) {
    const t = program.trains.get(program.entryTrains[0]);
    if (t) return selectModel(program, t.model);
  }
  if (own.length === 0) {
    return { diagnostics: [diagnostic('MOE0211', `${program.entry} declares no model`, undefined, { help: 'declare one with `model NAME { … }`, or pass --model vit_s16' })] };
  }
  return {
    diagnostics: [
      diagnostic('MOE0211', `${program.entry} declares ${own.length} models: ${list(own)}`, undefined, { help: `choose one with --model ${own[0]}` }),
    ],
  };
}

/** The train block named `name`; without a name, the entry file's only train block. */
export function selectTrain(program: Program, name?: string): Selected<ResolvedTrain> {
  const own = program.entryTrains;
  if (name === undefined) {
    if (own.length === 1) name = own[0];
    else
      return {
        diagnostics: [
          diagnostic(
            'MOE0211',
            own.length === 0 ? `${program.entry} declares no train block` : `${program.entry} declares ${own.length} train blocks: ${list(own)}`,
            undefined,
            { help: own.length === 0 ? 'add `train NAME { model: … }`' : `choose one by name, e.g. ${own[0]}` },
          ),
        ],
      };
  }
  const t = program.trains.get(name);
  if (t) return { value: t, diagnostics: [] };
  if (own.includes(name) && hasErrors(program.diagnostics)) return { diagnostics: [] };
  const help = didYouMean(name, own);
  return {
    diagnostics: [diagnostic('MOE0211', `no train block named '${name}' in ${program.entry}`, undefined, help ? { help } : { help: own.length ? `its train blocks are ${list(own)}` : undefined })],
  };
}
