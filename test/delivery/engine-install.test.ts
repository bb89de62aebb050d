import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFleet } from '../../examples/fleet/main';
import { ADDON_CHARTS, GitOpsEngine, GITOPS_NAMESPACES, synthPlatform } from '../../lib';
import { CHART_CUSTOM_KINDS } from './engine-model';

function addonReleases(engine: GitOpsEngine): any[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-engine-'));
  const terraform = new App({ outdir: path.join(root, 'cdktf.out') });
  const kubernetes = new K8sApp({ outdir: path.join(root, 'dist') });
  buildFleet(terraform, kubernetes, engine);
  synthPlatform({ terraform, kubernetes });
  const stack = JSON.parse(fs.readFileSync(path.join(root, 'cdktf.out', 'stacks', 'fleet-eu-addons', 'cdk.tf.json'), 'utf8'));
  return Object.values(stack.resource.helm_release);
}

describe('ClusterAddons installs the GitOps engine when asked', () => {
  test.each([
    [GitOpsEngine.ARGO_CD, ADDON_CHARTS.argoCd],
    [GitOpsEngine.FLUX, ADDON_CHARTS.flux],
  ])('%s: a pinned Helm release in the namespace its delivery objects live in, whose CRDs they use', (engine, chart) => {
    const release = addonReleases(engine).find((r) => r.chart === chart.chart);
    expect(release).toMatchObject({ repository: chart.repository, version: chart.version, namespace: GITOPS_NAMESPACES[engine], create_namespace: true, atomic: true });
    const used = engine === GitOpsEngine.ARGO_CD ? ['argoproj.io/Application'] : ['source.toolkit.fluxcd.io/GitRepository', 'kustomize.toolkit.fluxcd.io/Kustomization'];
    expect(CHART_CUSTOM_KINDS[chart.chart]).toEqual(expect.arrayContaining(used));
  });

  test('and not otherwise', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-engine-none-'));
    const terraform = new App({ outdir: root });
    const { buildMultiCloud } = require('../../examples/multi-cloud/main');
    buildMultiCloud(terraform);
    synthPlatform({ terraform });
    const stack = JSON.parse(fs.readFileSync(path.join(root, 'stacks', 'ml-gke-addons', 'cdk.tf.json'), 'utf8'));
    expect(Object.values<any>(stack.resource.helm_release).map((r) => r.chart)).not.toEqual(expect.arrayContaining(['argo-cd']));
    expect(Object.values<any>(stack.resource.helm_release).map((r) => r.chart)).not.toEqual(expect.arrayContaining(['flux2']));
  });
});
