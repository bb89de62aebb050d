/** Every example except custom-workload (see golden-custom-workload.test.ts), against test/golden/. */
import { buildAksVersionedApis } from '../../examples/aks-versioned-apis/main';
import { buildFleet } from '../../examples/fleet/main';
import { buildModelHosting } from '../../examples/gke-model-hosting/main';
import { buildModelServing } from '../../examples/model-serving/main';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { buildTrainingAndServing } from '../../examples/training-and-serving/main';
import { goldenSuite } from './golden';

const EXAMPLES: Record<string, Parameters<typeof goldenSuite>[1]> = {
  'aks-versioned-apis': buildAksVersionedApis,
  'fleet': (terraform, kubernetes) => buildFleet(terraform, kubernetes),
  'gke-model-hosting': buildModelHosting,
  'model-serving': buildModelServing,
  'multi-cloud': buildMultiCloud,
  'training-and-serving': buildTrainingAndServing,
};

describe.each(Object.entries(EXAMPLES))('golden output of %s', goldenSuite);
