/* eslint-disable no-control-regex -- this module's job is matching control characters */

// ESC-introduced sequences: CSI (ESC [ … final byte), OSC / DCS / SOS / PM / APC strings
// (terminated by BEL or ST), and two-byte escapes. The 8-bit C1 forms (U+009B CSI,
// U+009D OSC…) are covered by the C1 strip below, leaving only their harmless parameters.
const ESCAPE_SEQUENCE = new RegExp(
  [
    '\\u001b\\[[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]', // CSI
    '\\u001b[\\]PX^_][\\s\\S]*?(?:\\u0007|\\u001b\\\\|$)', // OSC, DCS, SOS, PM, APC
    '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]', // two-byte and nF escapes
  ].join('|'),
  'g',
);
// C0 except \t and \n, DEL, C1, and the bidi controls that can reorder what a reader sees.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Output made safe to show to a person or a model (SECURITY T9): terminal escape
 * sequences and control characters removed, `\n` and `\t` kept. `\r\n` becomes `\n`; a
 * lone `\r` (progress bars redrawing a line) becomes `\n` so no text is hidden by it.
 */
export function sanitizeOutput(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(/\r\n?/g, '\n').replace(CONTROL, '');
}
