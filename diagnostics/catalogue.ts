// The catalogue of every diagnostic code moec can emit. Each phase keeps its
// codes in diagnostics/codes/<phase>.ts (ranges below); this module merges them
// so there is one list to look up, document (docs/diagnostics.md) and test.
//
//   MOE01xx  syntax (lexer, parser)                 codes/syntax.ts
//   MOE02xx  names, imports, inheritance            codes/resolve.ts
//   MOE03xx  types, values, model and router rules  codes/check.ts
//            (MOE0321–0339: across declarations        codes/program.ts)
//   MOE0340–0359  the definition tables (routers, data sets)  codes/tables.ts
//   MOE04xx  op graph files (schema, load)          codes/graph.ts
//   MOE05xx  training, data, checkpoints, runtime   codes/runtime.ts
//            (MOE0520–0529: runs, loaded models      codes/session.ts)
//   MOE0621–0649  .npz files, vmoe export/import    codes/vmoe.ts
//   MOE0530–0559  checkpoint format, run folders, file-system faults, memory  codes/reliability.ts
//   MOE0561–0564  the wasm backend's thread count    codes/threads.ts
//   MOE0601–0619  ONNX export and onnxruntime       codes/export-onnx.ts
//   MOE0721–0729  the language server (moec lsp)    codes/editor.ts
//   MOE07xx  routing analysis and reports           codes/report.ts
import type { Diagnostic, Severity, Span, RelatedNote, Suggestion } from './diagnostic.ts';
import type { CodeTable } from './codes/table.ts';
import { syntaxCodes } from './codes/syntax.ts';
import { resolveCodes } from './codes/resolve.ts';
import { checkCodes } from './codes/check.ts';
import { graphCodes } from './codes/graph.ts';
import { runtimeCodes } from './codes/runtime.ts';
import { programCodes } from './codes/program.ts';
import { sessionCodes } from './codes/session.ts';
import { vmoeCodes } from './codes/vmoe.ts';
import { reliabilityCodes } from './codes/reliability.ts';
import { exportOnnxCodes } from './codes/export-onnx.ts';
import { editorCodes } from './codes/editor.ts';
import { reportCodes } from './codes/report.ts';
import { tablesCodes } from './codes/tables.ts';
import { threadsCodes } from './codes/threads.ts';

export type { CodeInfo, CodeTable } from './codes/table.ts';

export const catalogue: CodeTable = Object.freeze({
  ...syntaxCodes,
  ...resolveCodes,
  ...checkCodes,
  ...tablesCodes,
  ...graphCodes,
  ...programCodes,
  ...runtimeCodes,
  ...sessionCodes,
  ...vmoeCodes,
  ...reliabilityCodes,
  ...threadsCodes,
  ...exportOnnxCodes,
  ...editorCodes,
  ...reportCodes,
});

export interface DiagnosticExtras {
  readonly notes?: readonly RelatedNote[];
  readonly help?: string;
  readonly suggestion?: Suggestion;
  /** Overrides the catalogue's severity (rarely needed). */
  readonly severity?: Severity;
}

/** Builds a diagnostic whose severity comes from the catalogue. Throws on an unknown code (a bug). */
export function diagnostic(code: string, message: string, span: Span | undefined, extras: DiagnosticExtras = {}): Diagnostic {
  const info = catalogue[code];
  if (!info) throw new Error(`internal: diagnostic code ${code} is not in the catalogue`);
  const d: Diagnostic = {
    code,
    severity: extras.severity ?? info.severity,
    message,
    ...(span ? { span } : {}),
    ...(extras.notes && extras.notes.length > 0 ? { notes: extras.notes } : {}),
    ...(extras.help ? { help: extras.help } : {}),
    ...(extras.suggestion ? { suggestion: extras.suggestion } : {}),
  };
  return Object.freeze(d);
}
