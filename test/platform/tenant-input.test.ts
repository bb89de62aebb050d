import { Testing } from 'cdk8s';
import { ClusterCharts, collectValidationErrors, MlPlatform, Tenant, TenantProps } from '../../lib';
import { EKS_PROFILE } from '../fixtures';

function errorsFor(props: Partial<TenantProps>): string[] {
  const app = Testing.app();
  new Tenant(new ClusterCharts(app, EKS_PROFILE).tenant('research'), 'tenant', props);
  return collectValidationErrors(app);
}

describe('Tenant input', () => {
  test('the defaults are valid', () => expect(errorsFor({})).toEqual([]));

  describe('fails when', () => {
    test.each<[string, Partial<TenantProps>, RegExp]>([
      ['an editor group is empty', { editorGroups: [''] }, /RBAC_GROUP_INVALID: editorGroups holds a group name that is empty .*Received: ""/],
      ['a viewer group has surrounding spaces', { viewerGroups: [' ml-team'] }, /RBAC_GROUP_INVALID: viewerGroups .*Received: " ml-team"/],
      ['an extra rule has no verbs', { extraRules: [{ apiGroups: [''], resources: ['configmaps'], verbs: [] }] }, /RBAC_RULE_INVALID: extraRules\[0\]\.verbs is empty/],
      ['an extra rule names an unknown verb', { extraRules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['read'] }] }, /RBAC_RULE_INVALID: extraRules\[0\] names verbs Kubernetes does not have\. Received: \["read"\]/],
      ['the ingress controller namespace is not a name', { ingressControllerNamespace: 'Ingress NGINX' }, /NAMESPACE_INVALID: ingressControllerNamespace is not a namespace name.* Received: "Ingress NGINX"/],
      ['a GPU-by-priority-class name has spaces', { quota: { gpus: 2, gpusByPriorityClass: { 'ml training': 1 } } }, /PRIORITY_CLASS_NAME_INVALID: gpusByPriorityClass names "ml training"/],
      ['the default request is above the default limit', { containerDefaults: { memoryRequest: '4Gi', memoryLimit: '2Gi' } }, /LIMIT_RANGE_REQUEST_ABOVE_LIMIT: The default memory request is above .* Received: \{"request":"4Gi","limit":"2Gi"\}/],
    ])('%s', (_, props, message) => {
      expect(errorsFor(props)).toContainEqual(expect.stringMatching(message));
    });

    test('two tenants on one cluster share a name', () => {
      const app = Testing.app();
      const charts = new ClusterCharts(app, EKS_PROFILE);
      new Tenant(charts.tenant('research'), 'tenant', {});
      new Tenant(charts.platform, 'again', { name: 'research' });
      const errors = collectValidationErrors(app);
      // Reported once, on the one later in the tree (the platform chart comes first).
      expect(errors).toEqual([expect.stringMatching(/^\[ml-eks-research\/tenant\] TENANT_DUPLICATE: Tenant "research" on cluster "ml-eks" is also defined at ml-eks-platform\/again; one would overwrite the other/)]);
    });

    test('a cluster gets two MlPlatforms', () => {
      const app = Testing.app();
      const charts = new ClusterCharts(app, EKS_PROFILE);
      new MlPlatform(charts.platform, 'one', {});
      new MlPlatform(charts.platform, 'two', {});
      expect(collectValidationErrors(app)).toContainEqual(expect.stringMatching(/\[ml-eks-platform\/two\] ML_PLATFORM_DUPLICATE: Cluster "ml-eks" already has an MlPlatform at ml-eks-platform\/one/));
    });

    test('MlPlatform namespaces are not names', () => {
      const app = Testing.app();
      new MlPlatform(new ClusterCharts(app, EKS_PROFILE).platform, 'platform', { monitoringNamespace: 'Monitoring!' });
      expect(collectValidationErrors(app)).toContainEqual(expect.stringMatching(/NAMESPACE_INVALID: monitoringNamespace is not a namespace name/));
    });
  });
});
