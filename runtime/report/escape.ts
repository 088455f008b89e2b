// Escaping for the report page. Everything that comes from a user's files (spec
// text and comments, model and class names, dataset labels, file names) passes
// through one of these before it reaches the HTML.

/** Text for an HTML element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` as
 * \u escapes, so no string can close the element or open a comment; U+2028/2029
 * escaped so the text is also valid JavaScript.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A trusted script (a vendored library) made safe to inline in `<script>`: no `</script` or `<!--` inside. */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
