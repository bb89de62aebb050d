import { ModelVersionPolicy, ServedModel } from './model-config';

/** The two Deployments of a stack: `stable`, and `canary` while a canary runs. */
export type Track = 'stable' | 'canary';

/**
 * A canary: a second Deployment with a new model version or image, taking `weight` percent of the
 * requests through the Ingress router (ingress-nginx canary weights), whatever the replica counts.
 * Weight 0 keeps the canary pods reachable only by their version and label paths; weight 100
 * promotes it (the stable Deployment takes its version and image; the canary objects go away).
 * Rolling back is removing the canary or setting weight 0.
 */
export interface ServingCanary {
  /** 0–100. */
  readonly weight: number;
  /** The model whose version the canary changes. @default - the only model */
  readonly model?: string;
  /** The canary's version of that model; the stable one is the model's `stable` label or its single specific version. @default - the stable version */
  readonly version?: number;
  /** The canary's image. @default - the stack's image */
  readonly image?: string;
}

/** How many pods of which configuration one track runs. */
export interface TrackPlan {
  readonly track: Track;
  readonly models: readonly ServedModel[];
  readonly image: string;
  /** Fixed replica count, or the autoscaler's minimum. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export interface TrackInputs {
  readonly models: readonly ServedModel[];
  readonly image: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default - no canary */
  readonly canary?: ServingCanary;
}

/** The model's stable version: its `stable` label, or its single specific version. */
export function stableVersionOf(model: ServedModel): number | undefined {
  if (model.labels?.stable !== undefined) return model.labels.stable;
  const policy = model.versions;
  return policy?.kind === 'specific' && policy.values.length === 1 ? policy.values[0] : undefined;
}

/** The model a canary changes the version of, when it changes one. */
export function canaryModel(models: readonly ServedModel[], canary: ServingCanary | undefined): ServedModel | undefined {
  if (!canary || canary.version === undefined) return undefined;
  return canary.model ? models.find((m) => m.name === canary.model) : models.length === 1 ? models[0] : undefined;
}

/**
 * `model` pinned to `version`, keeping the labels that point at it and adding `label`; other
 * models unchanged. Each track loads only its own version, so a version path reaches only its pods.
 */
function pinned(models: readonly ServedModel[], model: ServedModel, version: number, label: Track): ServedModel[] {
  const labels = Object.fromEntries(Object.entries(model.labels ?? {}).filter(([, v]) => v === version));
  return models.map((m) => (m === model ? { ...m, versions: ModelVersionPolicy.specific(version), labels: { ...labels, [label]: version } } : m));
}

/** A canary's share of `count` pods, rounded up: the canary needs at least one pod of its own. */
const canaryPods = (count: number, weight: number) => Math.max(1, Math.ceil((count * weight) / 100));

/**
 * The tracks to run. The stable track keeps the stack's full size (it must carry every request on a
 * rollback); the canary is sized to its weight, at least one pod, and autoscales on its own. The
 * weight lives in the router, so neither size changes the share.
 */
export function planTracks(inputs: TrackInputs): TrackPlan[] {
  const { models, image, minReplicas, maxReplicas, canary } = inputs;
  if (!canary) return [{ track: 'stable', models, image, minReplicas, maxReplicas }];
  const target = canaryModel(models, canary);
  const stableVersion = target ? stableVersionOf(target) : undefined;
  const versioned = target !== undefined && stableVersion !== undefined && canary.version !== undefined;
  const canaryModels = versioned ? pinned(models, target, canary.version!, 'canary') : models;
  const canaryImage = canary.image ?? image;
  if (canary.weight >= 100) {
    const promoted = versioned ? pinned(models, target, canary.version!, 'stable') : models;
    return [{ track: 'stable', models: promoted, image: canaryImage, minReplicas, maxReplicas }];
  }
  return [
    { track: 'stable', models: versioned ? pinned(models, target, stableVersion, 'stable') : models, image, minReplicas, maxReplicas },
    { track: 'canary', models: canaryModels, image: canaryImage, minReplicas: canaryPods(minReplicas, canary.weight), maxReplicas: canaryPods(maxReplicas, canary.weight) },
  ];
}
