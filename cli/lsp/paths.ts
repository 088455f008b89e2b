// Document URIs ↔ the paths the compiler puts in spans. A `file:` URI is its file-system
// path; the standard presets live in the package (PRESETS_FILE in spans); any other
// URI (an unsaved `untitled:` buffer) is used as its own path, so it checks on its own.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PRESETS_FILE, PRESETS_PATH } from '../../compiler/index.ts';

export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

export function pathToUri(path: string): string {
  if (path === PRESETS_FILE) return pathToFileURL(PRESETS_PATH).href;
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return pathToFileURL(path).href;
  return path;
}
