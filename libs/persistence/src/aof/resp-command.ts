/**
 * A command as the AOF stores it: a RESP array of bulk strings, exactly what a client sends.
 * Arguments are latin1 strings (one char per byte), so the length in chars is the length in bytes.
 */
export function respCommand(argv: readonly string[]): string {
  let s = `*${String(argv.length)}\r\n`;
  for (let i = 0; i < argv.length; i++) s += `$${String(argv[i].length)}\r\n${argv[i]}\r\n`;
  return s;
}
