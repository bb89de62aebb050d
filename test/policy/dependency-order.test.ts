import { ApiObject, App, Chart, DependencyGraph, YamlOutputType } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shape } from '../../bench/shapes';
import { Tenant } from '../../lib';
import { dependencyOrder } from '../../lib/policy/dependency-order';
import { EKS_PROFILE } from '../fixtures';

/**
 * cdk8s orders the charts of a synth, and each chart's objects, by a dependency graph of every
 * construct. The library takes the same order from `findAll()` where nothing depends on anything,
 * without building the graph; the order must stay cdk8s's in every case.
 */
const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-dependency-order-'));
const cdk8sOrder = (scope: { node: any }) => new DependencyGraph(scope.node).topology();

/** Charts with the given ids, each with a tenant (so the library's synth runs) and a bare object. */
function appWithCharts(ids: string[], props: { yamlOutputType?: YamlOutputType } = {}) {
  const app = new App({ outdir: outdir(), ...props });
  const charts = ids.map((id, i) => {
    const chart = new Chart(app, id);
    new Tenant(chart, `team-${i}`, { name: `team-${i}`, cluster: EKS_PROFILE, quota: { gpus: 4 } });
    new ApiObject(chart, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `settings-${i}`, namespace: `team-${i}` } });
    return chart;
  });
  return { app, charts };
}

describe('the order of charts and objects', () => {
  test('with no dependency, it is findAll()\'s, and it is the graph\'s', () => {
    const app = new App({ outdir: outdir() });
    shape('charts-10').build(app, 20);
    expect(dependencyOrder(app)).toEqual(app.node.findAll());
    expect(dependencyOrder(app)).toEqual(cdk8sOrder(app));
    for (const chart of app.charts) expect(dependencyOrder(chart)).toEqual(cdk8sOrder(chart));
  });

  test('charts whose ids are array indexes come first, as in the graph', () => {
    const { app, charts } = appWithCharts(['b', '10', 'a', '2', '02']);
    // Below the top level an id such as "7" is no path of its own ("b/7").
    new ApiObject(charts[0], '7', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seven', namespace: 'team-0' } });
    const order = dependencyOrder(app);
    expect(order).toEqual(cdk8sOrder(app));
    expect(order.filter(Chart.isChart).map((c) => c.node.id)).toEqual(['2', '10', 'b', 'a', '02']);
    for (const chart of charts) expect(dependencyOrder(chart)).toEqual(cdk8sOrder(chart));
  });

  test('with dependencies, it is the graph\'s', () => {
    const { app, charts } = appWithCharts(['first', 'second']);
    const [first, second] = charts;
    const settings = (chart: Chart) => chart.node.findChild('settings');
    // An object that depends on one after it, and a chart that depends on the one after it.
    settings(first).node.addDependency(first.node.findChild('team-0'));
    first.addDependency(second);
    expect(dependencyOrder(app)).not.toEqual(app.node.findAll());
    expect(dependencyOrder(app)).toEqual(cdk8sOrder(app));
    expect(dependencyOrder(first)).toEqual(cdk8sOrder(first));
  });

  test('the file of a whole app lists the charts in cdk8s\'s order', () => {
    const { app } = appWithCharts(['b', '10', 'a', '2'], { yamlOutputType: YamlOutputType.FILE_PER_APP });
    const expected = cdk8sOrder(app).filter(Chart.isChart).flatMap((chart) => chart.toJson().map((o: any) => o.metadata.name));
    app.synth();
    const written = fs.readFileSync(path.join(app.outdir, 'app.k8s.yaml'), 'utf8').match(/^ {2}name: .*$/gm)!.map((l) => l.slice(8));
    expect(written).toEqual(expected);
    expect(written.filter((name) => name.startsWith('settings-'))).toEqual(['settings-3', 'settings-1', 'settings-0', 'settings-2']);
  });

  test('synth of ten charts with no dependency builds no dependency graph', () => {
    const app = new App({ outdir: outdir() });
    shape('charts-10').build(app, 20);
    const topology = jest.spyOn(DependencyGraph.prototype, 'topology');
    try {
      app.synth();
      expect(topology).not.toHaveBeenCalled();
    } finally {
      topology.mockRestore();
    }
    expect(fs.readdirSync(app.outdir)).toHaveLength(10);
  });
});
