import { ApiObject, ApiObjectMetadata, GroupVersionKind, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * An object built from the typed props of a generated class in `lib/imports`, so a misspelled or
 * mistyped field fails to compile, and emitted as a plain `ApiObject`. The generated classes
 * re-map their JSON through the imported schema after JSON patches are applied, which silently
 * drops any patched field newer than that schema; a plain ApiObject keeps what users patch in.
 * The props type comes from `toJson` alone (`NoInfer`), so a misspelled top-level field fails too.
 */
export function kubeObject<P>(scope: Construct, id: string, gvk: GroupVersionKind, toJson: (props: P | undefined) => Record<string, any> | undefined, props: NoInfer<P>): ApiObject {
  return new ApiObject(scope, id, withKind(gvk, toJson(props)));
}

/** A typed object not yet placed in a construct tree: its kind, and its JSON from the typed props. */
export interface KubeObjectSpec {
  /** Its apiVersion and kind. */
  readonly gvk: GroupVersionKind;
  /** Its fields as Kubernetes reads them, rendered by the generated conversion. */
  toJson(): Record<string, any> | undefined;
}

/** The props of a generated class, checked against its conversion `toJson` now and rendered when emitted. */
export function kubeObjectSpec<P>(gvk: GroupVersionKind, toJson: (props: P | undefined) => Record<string, any> | undefined, props: NoInfer<P>): KubeObjectSpec {
  return { gvk, toJson: () => toJson(props) };
}

/** Emits `spec` as a plain `ApiObject` (see {@link kubeObject}). */
export function emitKubeObject(scope: Construct, id: string, spec: KubeObjectSpec): ApiObject {
  return new ApiObject(scope, id, withKind(spec.gvk, spec.toJson()));
}

/**
 * As {@link kubeObject}, for an object whose `field` is only known at synth, because it reads
 * something filled later (the workload-kind registry): the typed value is produced then.
 */
export function lateKubeObject<B>(
  scope: Construct, id: string, gvk: GroupVersionKind, metadata: ApiObjectMetadata, field: string,
  toJson: (value: B | undefined) => unknown, produce: () => NoInfer<B>,
): ApiObject {
  return new ApiObject(scope, id, withKind(gvk, { metadata, [field]: Lazy.any({ produce: () => toJson(produce()) }) }));
}

/**
 * `{ apiVersion, kind, ...fields }`, without starting the literal with a spread of `gvk`: on
 * Node 20, objects made by that literal here each got a hidden class of their own (3,800 maps for
 * 500 serving stacks), where `Object.assign` onto a fixed literal shares one per kind.
 */
function withKind(gvk: GroupVersionKind, fields: Record<string, any> | undefined): any {
  return Object.assign({ apiVersion: gvk.apiVersion, kind: gvk.kind }, fields);
}
