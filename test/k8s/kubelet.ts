/**
 * What the kubelet does to a container's environment, so tests can see the values a process
 * really gets: fieldRefs are resolved, then `$(NAME)` is expanded from the variables defined
 * earlier in the list only. Unknown references stay as written; `$$` is an escaped `$`.
 * (The rules of k8s.io/kubernetes third_party/forked/golang/expansion.)
 */
export interface PodFacts {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export function expandEnvironment(env: readonly any[], pod: PodFacts): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const variable of env) {
    if (variable.valueFrom) {
      resolved[variable.name] = fieldRef(variable.valueFrom.fieldRef?.fieldPath, pod);
    } else {
      resolved[variable.name] = expand(variable.value ?? '', resolved);
    }
  }
  return resolved;
}

function fieldRef(fieldPath: string | undefined, pod: PodFacts): string {
  const keyed = /^metadata\.(annotations|labels)\['([^']+)'\]$/.exec(fieldPath ?? '');
  if (keyed) return (keyed[1] === 'annotations' ? pod.annotations : pod.labels)[keyed[2]] ?? '';
  if (fieldPath === 'metadata.name') return pod.name;
  if (fieldPath === 'metadata.namespace') return pod.namespace;
  throw new Error(`fieldRef ${fieldPath} is not modelled`);
}

export function expand(input: string, defined: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) {
      out += input[i];
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += Object.prototype.hasOwnProperty.call(defined, name) ? defined[name] : `$(${name})`;
      i = close;
    } else {
      out += '$' + next;
      i++;
    }
  }
  return out;
}
