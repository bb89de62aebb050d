import { testChart } from '../k8s-helpers';
import { App, Chart } from 'cdk8s';
import { collectValidationErrors, Problems, TfStrategy, TfTrainingJob } from '../../lib';
import { perValidationPass } from '../../lib/core/validation';
import { EKS_PROFILE } from '../fixtures';

describe('perValidationPass', () => {
  test('computes once per pass, however many checks ask, and again in the next pass', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    let computed = 0;
    const value = () => perValidationPass(chart, 'test-count', () => ++computed);
    for (let i = 0; i < 5; i++) Problems.of(new Chart(app, `checker-${i}`)).addCheck(() => { value(); return []; });
    collectValidationErrors(app);
    expect(computed).toBe(1);
    collectValidationErrors(app);
    expect(computed).toBe(2);
  });

  test('a later pass sees what was added since the previous one', () => {
    const app = new App();
    const chart = testChart(app, 'jobs');
    const job = (id: string, serviceAccountName?: string) => new TfTrainingJob(chart, id, {
      namespace: 'ns', image: 'tf:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 1 }, cluster: EKS_PROFILE, serviceAccountName,
    });
    // "b" runs as the ServiceAccount that job "a" will create; a stale index would keep refusing it.
    job('b', 'a');
    expect(collectValidationErrors(app)).toEqual([expect.stringContaining('[jobs/b] REFERENCE_UNDEFINED: "b" uses ServiceAccount "a"')]);
    job('a');
    expect(collectValidationErrors(app)).toEqual([]);
  });
});
