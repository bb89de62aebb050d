/**
 * `text` as V8's string table holds it: the same characters. A string used as a property key (a
 * construct id always is, among its parent's children) becomes a ThinString, and optimized code
 * concatenates or joins a ThinString into a two-byte string even when every character is Latin-1.
 * One such name in a document makes its chart file's YAML two-byte: twice the memory, widened and
 * encoded again on its way to disk. Names the library builds other names from go through this.
 */
export function interned(text: string): string {
  // A null-prototype object keeps its keys in a dictionary: no hidden class from `{}` per name.
  const table = Object.create(null);
  table[text] = 0;
  return Object.keys(table)[0];
}
