/**
 * A protobuf text-format reader, enough for TF Serving's config files: messages in braces, scalar
 * fields as `name: value`, repeated fields by repetition, map entries as `{ key: … value: … }`.
 * Every field becomes a list, since the reader knows no schema; a syntax error throws.
 */
export type TextMessage = { [field: string]: Array<string | number | TextMessage> };

function tokens(text: string): string[] {
  const out: string[] = [];
  const pattern = /\s+|#[^\n]*|("(?:[^"\\]|\\.)*")|([{}:])|([A-Za-z_][A-Za-z0-9_.]*)|(-?[0-9][0-9.eE+-]*)|(.)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match[6] !== undefined) throw new Error(`unexpected character ${JSON.stringify(match[6])} at ${match.index}`);
    const token = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (token !== undefined) out.push(token);
  }
  return out;
}

export function parseTextProto(text: string): TextMessage {
  const list = tokens(text);
  let at = 0;
  const message = (closing: boolean): TextMessage => {
    const fields: TextMessage = {};
    while (at < list.length && list[at] !== '}') {
      const name = list[at++];
      if (!/^[A-Za-z_]/.test(name)) throw new Error(`expected a field name, got ${name}`);
      let value: string | number | TextMessage;
      if (list[at] === ':') at++;
      if (list[at] === '{') {
        at++;
        value = message(true);
      } else {
        const scalar = list[at++];
        if (scalar === undefined) throw new Error(`field ${name} has no value`);
        value = scalar.startsWith('"') ? JSON.parse(scalar) : /^-?[0-9]/.test(scalar) ? Number(scalar) : scalar;
      }
      (fields[name] ??= []).push(value);
    }
    if (closing) {
      if (list[at] !== '}') throw new Error('unclosed message');
      at++;
    } else if (at < list.length) {
      throw new Error('unbalanced "}"');
    }
    return fields;
  };
  return message(false);
}
