import { appendTo } from '../core/append-to';

/** Whether a label selector (`matchLabels`) selects pods with `labels`: every label of it is theirs, and an empty one selects all. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * Label selectors, filed under one of their labels: a set of labels can only be selected by the
 * selectors filed under one of its own labels. Selectors with no label to file under (the empty
 * one selects every pod) are tried against every set.
 */
export class PodSelectors {
  private readonly unfiled: Array<Record<string, string>> = [];
  private readonly byLabel = new Map<string, Array<Record<string, string>>>();

  public add(selector: Record<string, string> | undefined): void {
    if (selector === undefined) return;
    const label = Object.entries(selector).find(([, value]) => value !== undefined);
    if (label === undefined) {
      this.unfiled.push(selector);
      return;
    }
    appendTo(this.byLabel, labelKey(label[0], label[1]), selector);
  }

  public anySelects(labels: Record<string, string>): boolean {
    return this.unfiled.some((selector) => selects(selector, labels))
      || Object.entries(labels).some(([k, v]) => (this.byLabel.get(labelKey(k, v)) ?? []).some((selector) => selects(selector, labels)));
  }
}

const labelKey = (key: string, value: unknown) => JSON.stringify([key, value]);
