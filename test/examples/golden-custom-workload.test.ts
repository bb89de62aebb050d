/** The custom-workload example registers a kind for the whole process, so its golden output is compared in a file of its own. */
import { buildCustomWorkload } from '../../examples/custom-workload/main';
import { goldenSuite } from './golden';

describe('golden output of custom-workload', () => goldenSuite('custom-workload', (_terraform, kubernetes) => buildCustomWorkload(kubernetes)));
