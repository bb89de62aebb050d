import { Accelerator, Cloud, ClusterProfile, ClusterProfileData, NodeLabels, SPOT_TOLERATION, ValidationError } from '../../lib';

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
    const problemsOf = (json: unknown) => {
      try {
        ClusterProfile.fromJson(json);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).errors;
      }
      throw new Error('fromJson accepted the profile');
    };

    test.each([
      ['a pool entry is null', { ...DATA, pools: [null] }, /pools\[0\] must be an object; received null/],
      ['a taint effect is misspelled', { ...DATA, pools: [{ ...DATA.pools[1], taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoScheduleX' }] }] }, /pools\[0\]\.taints\[0\] must be .*effect NoSchedule, PreferNoSchedule, NoExecute/],
      ['a taint key is not label syntax', { ...DATA, pools: [{ ...DATA.pools[1], taints: [{ key: 'bad key', effect: 'NoSchedule' }] }] }, /pools\[0\]\.taints\[0\] must be/],
      ['a label key is not label syntax', { ...DATA, pools: [{ ...DATA.pools[0], labels: { 'a b': 'x' } }] }, /pools\[0\]\.labels\["a b"\] must be a valid label/],
      ['a label value is too long', { ...DATA, pools: [{ ...DATA.pools[0], labels: { pool: 'x'.repeat(64) } }] }, /pools\[0\]\.labels\["pool"\] must be a valid label/],
      ['the Kubernetes version is not a minor version', { ...DATA, kubernetesVersion: 'latest' }, /"kubernetesVersion" must be a minor version such as "1.33"; received "latest"/],
      ['capabilities are missing a flag', { ...DATA, capabilities: { devicePluginRequired: true } }, /"capabilities" must be an object with the booleans/],
      ['two pools share a name', { ...DATA, pools: [DATA.pools[0], DATA.pools[0]] }, /pools\[1\]\.name must be a non-empty string, unique among the pools/],
      ['min exceeds max', { ...DATA, pools: [{ ...DATA.pools[0], minNodes: 3, maxNodes: 1 }] }, /pools\[0\]\.minNodes must not exceed maxNodes/],
      ['a GPU pool has no GPUs per node', { ...DATA, pools: [{ ...DATA.pools[1], gpusPerNode: 0 }] }, /pools\[0\] must have an accelerator exactly when gpusPerNode is above 0/],
      ['the whole profile is an array', [], /expected an object, received \[\]/],
    ])('%s', (_, json, message) => {
      expect(problemsOf(json)).toContainEqual(expect.stringMatching(message));
    });

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
