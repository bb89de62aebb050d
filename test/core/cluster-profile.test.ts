import { Accelerator, Cloud, ClusterProfile, ClusterProfileData, NodeLabels, SPOT_TOLERATION } from '../../lib';

const DATA: ClusterProfileData = {
  cloud: Cloud.EKS,
  name: 'existing',
  kubernetesVersion: '1.32',
  capabilities: { devicePluginRequired: true, managedGpuDrivers: true, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: true },
  pools: [
    { name: 'cpu', machineType: 'm6i.xlarge', gpusPerNode: 0, minNodes: 1, maxNodes: 5, spot: false, labels: {}, taints: [], devicePluginRequired: false },
    {
      name: 'l4', machineType: 'g6.12xlarge', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: 3, spot: false,
      labels: { [NodeLabels.ACCELERATOR]: 'nvidia-l4' }, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }], devicePluginRequired: true,
    },
    {
      name: 'l4-spot', machineType: 'g6.xlarge', accelerator: 'nvidia-l4', gpusPerNode: 1, minNodes: 0, maxNodes: 10, spot: true,
      labels: { [NodeLabels.ACCELERATOR]: 'nvidia-l4' },
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }, { key: 'ml-platform.io/spot', value: 'true', effect: 'NoSchedule' }],
      devicePluginRequired: true,
    },
  ],
};

describe('ClusterProfile', () => {
  test('round-trips through JSON text', () => {
    const profile = ClusterProfile.fromJson(JSON.parse(JSON.stringify(new ClusterProfile(DATA).toJson())));
    expect(profile.toJson()).toEqual(DATA);
    expect(profile.cloud).toBe(Cloud.EKS);
  });

  test('GPU capacity sums max nodes × GPUs over the pools with that accelerator', () => {
    const profile = new ClusterProfile(DATA);
    expect(profile.gpuCapacity(Accelerator.NVIDIA_L4)).toBe(3 * 4 + 10 * 1);
    expect(profile.gpuCapacity(Accelerator.NVIDIA_T4)).toBe(0);
  });

  test('placement selects the accelerator label and tolerates the pools\' taints; spot only when allowed', () => {
    const profile = new ClusterProfile(DATA);
    const onDemand = profile.placementFor(Accelerator.NVIDIA_L4)!;
    expect(onDemand.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4' });
    expect(onDemand.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
    const spot = profile.placementFor(Accelerator.NVIDIA_L4, { allowSpot: true })!;
    expect(spot.tolerations).toContainEqual(SPOT_TOLERATION);
    expect(spot.tolerations).toHaveLength(2);
    expect(profile.placementFor(Accelerator.NVIDIA_H100_80GB)).toBeUndefined();
  });

  test('a hand-written profile of an on-premises cluster is accepted, with generic facts unless it states its own', () => {
    const onPrem = ClusterProfile.fromJson({ ...DATA, cloud: 'on-prem' });
    expect(onPrem.facts.workloadIdentity).toBeUndefined();
    expect(onPrem.facts.objectStores).toEqual([]);
    expect(onPrem.facts.metadata.blockedCidrs).toEqual(['169.254.169.254/32']);
    const minio = { scheme: 's3', csiDriver: 'ru.yandex.s3.csi' };
    const withFacts = ClusterProfile.fromJson({ ...DATA, cloud: 'on-prem', facts: { ...onPrem.facts, objectStores: [minio] } });
    expect(withFacts.objectStore('s3')).toEqual(minio);
    expect(ClusterProfile.fromJson(withFacts.toJson()).facts).toEqual(withFacts.facts);
  });

  describe('fails when', () => {
    test('the JSON is malformed, listing every problem', () => {
      const bad = { ...DATA, cloud: 'Open Stack', pools: [{ ...DATA.pools[1], accelerator: 'nvidia-b300', maxNodes: -1 }] };
      expect(() => ClusterProfile.fromJson(bad)).toThrow(/"cloud" must be a lower-case name such as gke, eks, aks or on-prem; received "Open Stack"/);
      let message = '';
      try { ClusterProfile.fromJson(bad); } catch (e) { message = (e as Error).message; }
      expect(message).toContain('pools[0].accelerator must be a catalogue id');
      expect(message).toContain('pools[0].maxNodes must be a non-negative integer; received -1');
    });

    test('the JSON is not an object', () => {
      expect(() => ClusterProfile.fromJson('gke')).toThrow(/PROFILE_INVALID: expected an object/);
    });
  });
});
