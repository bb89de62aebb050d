import { Accelerator, Cloud } from '../../lib';

describe('Accelerator catalogue', () => {
  test.each([
    [Accelerator.NVIDIA_T4, Cloud.GKE, 'nvidia-tesla-t4'],
    [Accelerator.NVIDIA_L4, Cloud.GKE, 'nvidia-l4'],
    [Accelerator.NVIDIA_A100_40GB, Cloud.GKE, 'nvidia-tesla-a100'],
    [Accelerator.NVIDIA_A100_80GB, Cloud.GKE, 'nvidia-a100-80gb'],
    [Accelerator.NVIDIA_H100_80GB, Cloud.GKE, 'nvidia-h100-80gb'],
    [Accelerator.NVIDIA_T4, Cloud.EKS, 'g4dn'],
    [Accelerator.NVIDIA_L4, Cloud.EKS, 'g6'],
    [Accelerator.NVIDIA_A10G, Cloud.EKS, 'g5'],
    [Accelerator.NVIDIA_A100_40GB, Cloud.EKS, 'p4d'],
    [Accelerator.NVIDIA_A100_80GB, Cloud.EKS, 'p4de'],
    [Accelerator.NVIDIA_H100_80GB, Cloud.EKS, 'p5'],
    [Accelerator.NVIDIA_T4, Cloud.AKS, 'NCasT4_v3'],
    [Accelerator.NVIDIA_A10, Cloud.AKS, 'NVadsA10_v5'],
    [Accelerator.NVIDIA_A100_80GB, Cloud.AKS, 'NC_A100_v4'],
    [Accelerator.NVIDIA_H100_NVL, Cloud.AKS, 'NCadsH100_v5'],
  ])('%s is sold on %s as %s', (accelerator, cloud, name) => {
    expect(accelerator.offerOn(cloud)?.name).toBe(name);
  });

  test.each([
    [Accelerator.NVIDIA_A10G, Cloud.GKE],
    [Accelerator.NVIDIA_A10G, Cloud.AKS],
    [Accelerator.NVIDIA_L4, Cloud.AKS],
    [Accelerator.NVIDIA_A10, Cloud.EKS],
    [Accelerator.NVIDIA_H100_NVL, Cloud.GKE],
  ])('%s is not offered on %s', (accelerator, cloud) => {
    expect(accelerator.offerOn(cloud)).toBeUndefined();
  });

  test('N1 machines take 1, 2 or 4 T4s, and only 4 above 48 vCPUs', () => {
    expect(Accelerator.NVIDIA_T4.gpuCountsOn(Cloud.GKE, 'n1-standard-8')).toEqual([1, 2, 4]);
    expect(Accelerator.NVIDIA_T4.gpuCountsOn(Cloud.GKE, 'n1-standard-64')).toEqual([4]);
    expect(Accelerator.NVIDIA_T4.gpuCountsOn(Cloud.GKE, 'g2-standard-8')).toEqual([]);
  });

  test('fixed-GPU machines name their accelerator; N1 does not', () => {
    expect(Accelerator.builtInto(Cloud.GKE, 'g2-standard-8')).toBe(Accelerator.NVIDIA_L4);
    expect(Accelerator.builtInto(Cloud.EKS, 'p4de.24xlarge')).toBe(Accelerator.NVIDIA_A100_80GB);
    expect(Accelerator.builtInto(Cloud.GKE, 'n1-standard-8')).toBeUndefined();
    expect(Accelerator.builtInto(Cloud.GKE, 'e2-standard-8')).toBeUndefined();
  });

  test('the smallest machine with N GPUs is derived', () => {
    expect(Accelerator.NVIDIA_L4.smallestMachine(Cloud.GKE, 1)).toBe('g2-standard-4');
    expect(Accelerator.NVIDIA_L4.smallestMachine(Cloud.GKE, 4)).toBe('g2-standard-48');
    expect(Accelerator.NVIDIA_A100_40GB.smallestMachine(Cloud.EKS, 8)).toBe('p4d.24xlarge');
    expect(Accelerator.NVIDIA_T4.smallestMachine(Cloud.AKS, 4)).toBe('Standard_NC64as_T4_v3');
    expect(Accelerator.NVIDIA_H100_80GB.smallestMachine(Cloud.EKS, 1)).toBeUndefined();
  });

  test('ids are unique and round-trip', () => {
    const ids = Accelerator.all().map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of Accelerator.all()) expect(Accelerator.fromId(a.id)).toBe(a);
    expect(Accelerator.fromId('nvidia-b200')).toBeUndefined();
  });
});
