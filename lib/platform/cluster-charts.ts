import { App, Chart } from 'cdk8s';
import { ClusterProfile } from '../core/cluster-profile';
import { profileJsonProblems } from '../core/profile-json';
import { throwProblems } from '../core/props-shape';
import { setScopeDefaults } from '../core/scope-defaults';
import { Problems } from '../core/validation';

/**
 * The output layout: one chart, hence one YAML file, for a cluster's platform objects and one per
 * tenant, named `<cluster>-platform` and `<cluster>-<tenant>` with the cloud in the name. A few
 * charts per cluster keep cdk8s synth linear (its cost grows with the square of the chart count).
 */
export class ClusterCharts {
  /** Cluster-wide objects: MlPlatform, priority classes, device plugin, dashboards. */
  public readonly platform: Chart;
  private readonly prefix: string;
  private readonly tenants = new Map<string, Chart>();

  constructor(private readonly app: App, public readonly cluster: ClusterProfile) {
    // Not a construct, so nothing to record a problem on: a JavaScript caller's mistake is thrown as a listed one.
    if (!(app instanceof App)) {
      throwProblems('ClusterCharts', [{ code: 'PROP_TYPE_INVALID', message: 'app must be a cdk8s App.', received: app, fix: 'pass the App the manifests are synthesized from.' }]);
    }
    if (!(cluster instanceof ClusterProfile)) {
      throwProblems('ClusterCharts', [{ code: 'PROP_TYPE_INVALID', message: 'cluster must be a ClusterProfile.', received: cluster, fix: 'pass cluster.profile, ClusterProfile.fromFile(...) or new ClusterProfile({...}).' }]);
    }
    this.prefix = cluster.name.includes(cluster.cloud) ? cluster.name : `${cluster.cloud}-${cluster.name}`;
    this.platform = new Chart(app, `${this.prefix}-platform`);
    setScopeDefaults(this.platform, { cluster });
    // A profile written in code (new ClusterProfile) meets fromJson's rules here, where workloads
    // start reading it; typed fields can still hold a pool name or a CIDR Kubernetes refuses.
    const { cloud, name, kubernetesVersion, pools, capabilities, facts } = cluster;
    profileJsonProblems({ cloud, name, kubernetesVersion, pools, capabilities, facts }).forEach((p) => Problems.of(this.platform).add(p));
  }

  /**
   * The chart of tenant `name`: its namespace objects and its workloads. Constructs placed in it
   * take this cluster and the namespace `name` unless they say otherwise.
   */
  public tenant(name: string): Chart {
    // It names the chart and the namespace; its format is the Tenant's check, its type must hold here.
    if (typeof name !== 'string') {
      throwProblems('ClusterCharts.tenant', [{ code: 'PROP_TYPE_INVALID', message: 'The tenant name must be a string.', received: name, fix: 'pass the tenant\'s namespace name, e.g. charts.tenant(\'team-a\').' }]);
    }
    let chart = this.tenants.get(name);
    if (!chart) {
      chart = new Chart(this.app, `${this.prefix}-${name}`);
      setScopeDefaults(chart, { cluster: this.cluster, namespace: name });
      this.tenants.set(name, chart);
    }
    return chart;
  }
}
