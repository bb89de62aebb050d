import { ALL_CLOUDS, Cloud } from './cloud';
import { checkArguments } from './props-shape';

// A JavaScript caller's misspelt cloud ('GKE') is listed, not answered with "not offered here".
const CLOUD = { oneOf: ALL_CLOUDS, name: 'Cloud' } as const;

/** A machine type and the GPU counts it can be ordered with. */
export interface MachineShape {
  readonly machineType: string;
  /** Fixed-GPU machines have one entry; GKE N1 machines accept several. */
  readonly gpuCounts: readonly number[];
}

/** How one cloud sells an accelerator. */
export interface AcceleratorOffer {
  /** The cloud's own name for it: the GKE accelerator type, the EC2 family, the Azure VM series. */
  readonly name: string;
  /** Machines that carry it, smallest first. */
  readonly machines: readonly MachineShape[];
}

const fixed = (gpus: number, ...machineTypes: string[]): MachineShape[] =>
  machineTypes.map((machineType) => ({ machineType, gpuCounts: [gpus] }));

// N1 machines take 1, 2 or 4 T4s up to 48 vCPUs; larger ones need 4 (GKE GPU platform limits).
const n1WithT4: MachineShape[] = ['standard', 'highmem', 'highcpu'].flatMap((kind) =>
  [1, 2, 4, 8, 16, 32, 64, 96]
    .filter((vcpus) => kind === 'standard' || vcpus >= 2)
    .map((vcpus) => ({ machineType: `n1-${kind}-${vcpus}`, gpuCounts: vcpus <= 48 ? [1, 2, 4] : [4] })),
);

/**
 * The GPU catalogue: which cloud offers which accelerator, under which name and on which machines.
 * Closed set: add a static member here to support a new accelerator.
 */
export class Accelerator {
  public static readonly NVIDIA_T4 = new Accelerator('nvidia-t4', 'NVIDIA T4', 16, {
    [Cloud.GKE]: { name: 'nvidia-tesla-t4', machines: n1WithT4 },
    [Cloud.EKS]: {
      name: 'g4dn',
      machines: [
        ...fixed(1, 'g4dn.xlarge', 'g4dn.2xlarge', 'g4dn.4xlarge', 'g4dn.8xlarge', 'g4dn.16xlarge'),
        ...fixed(4, 'g4dn.12xlarge'),
        ...fixed(8, 'g4dn.metal'),
      ],
    },
    [Cloud.AKS]: {
      name: 'NCasT4_v3',
      machines: [
        ...fixed(1, 'Standard_NC4as_T4_v3', 'Standard_NC8as_T4_v3', 'Standard_NC16as_T4_v3'),
        ...fixed(4, 'Standard_NC64as_T4_v3'),
      ],
    },
  });

  public static readonly NVIDIA_L4 = new Accelerator('nvidia-l4', 'NVIDIA L4', 24, {
    [Cloud.GKE]: {
      name: 'nvidia-l4',
      machines: [
        ...fixed(1, 'g2-standard-4', 'g2-standard-8', 'g2-standard-12', 'g2-standard-16', 'g2-standard-32'),
        ...fixed(2, 'g2-standard-24'),
        ...fixed(4, 'g2-standard-48'),
        ...fixed(8, 'g2-standard-96'),
      ],
    },
    [Cloud.EKS]: {
      name: 'g6',
      machines: [
        ...fixed(1, 'g6.xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g6.8xlarge', 'g6.16xlarge'),
        ...fixed(4, 'g6.12xlarge', 'g6.24xlarge'),
        ...fixed(8, 'g6.48xlarge'),
      ],
    },
  });

  /** The A10G is AWS's variant of the A10; Azure sells the A10 itself ({@link Accelerator.NVIDIA_A10}). */
  public static readonly NVIDIA_A10G = new Accelerator('nvidia-a10g', 'NVIDIA A10G', 24, {
    [Cloud.EKS]: {
      name: 'g5',
      machines: [
        ...fixed(1, 'g5.xlarge', 'g5.2xlarge', 'g5.4xlarge', 'g5.8xlarge', 'g5.16xlarge'),
        ...fixed(4, 'g5.12xlarge', 'g5.24xlarge'),
        ...fixed(8, 'g5.48xlarge'),
      ],
    },
  });

  /** Only the whole-GPU NVadsA10_v5 sizes: the fractional ones expose no `nvidia.com/gpu`. */
  public static readonly NVIDIA_A10 = new Accelerator('nvidia-a10', 'NVIDIA A10', 24, {
    [Cloud.AKS]: {
      name: 'NVadsA10_v5',
      machines: [...fixed(1, 'Standard_NV36ads_A10_v5', 'Standard_NV36adms_A10_v5'), ...fixed(2, 'Standard_NV72ads_A10_v5')],
    },
  });

  public static readonly NVIDIA_A100_40GB = new Accelerator('nvidia-a100-40gb', 'NVIDIA A100 40GB', 40, {
    [Cloud.GKE]: {
      name: 'nvidia-tesla-a100',
      machines: [
        ...fixed(1, 'a2-highgpu-1g'),
        ...fixed(2, 'a2-highgpu-2g'),
        ...fixed(4, 'a2-highgpu-4g'),
        ...fixed(8, 'a2-highgpu-8g'),
        ...fixed(16, 'a2-megagpu-16g'),
      ],
    },
    [Cloud.EKS]: { name: 'p4d', machines: fixed(8, 'p4d.24xlarge') },
    [Cloud.AKS]: { name: 'NDasrA100_v4', machines: fixed(8, 'Standard_ND96asr_v4') },
  });

  public static readonly NVIDIA_A100_80GB = new Accelerator('nvidia-a100-80gb', 'NVIDIA A100 80GB', 80, {
    [Cloud.GKE]: {
      name: 'nvidia-a100-80gb',
      machines: [
        ...fixed(1, 'a2-ultragpu-1g'),
        ...fixed(2, 'a2-ultragpu-2g'),
        ...fixed(4, 'a2-ultragpu-4g'),
        ...fixed(8, 'a2-ultragpu-8g'),
      ],
    },
    [Cloud.EKS]: { name: 'p4de', machines: fixed(8, 'p4de.24xlarge') },
    [Cloud.AKS]: {
      name: 'NC_A100_v4',
      machines: [
        ...fixed(1, 'Standard_NC24ads_A100_v4'),
        ...fixed(2, 'Standard_NC48ads_A100_v4'),
        ...fixed(4, 'Standard_NC96ads_A100_v4'),
        ...fixed(8, 'Standard_ND96amsr_A100_v4'),
      ],
    },
  });

  public static readonly NVIDIA_H100_80GB = new Accelerator('nvidia-h100-80gb', 'NVIDIA H100 80GB', 80, {
    [Cloud.GKE]: {
      name: 'nvidia-h100-80gb',
      machines: [
        ...fixed(1, 'a3-highgpu-1g'),
        ...fixed(2, 'a3-highgpu-2g'),
        ...fixed(4, 'a3-highgpu-4g'),
        ...fixed(8, 'a3-highgpu-8g'),
      ],
    },
    [Cloud.EKS]: { name: 'p5', machines: fixed(8, 'p5.48xlarge') },
    [Cloud.AKS]: { name: 'ND_H100_v5', machines: fixed(8, 'Standard_ND96isr_H100_v5') },
  });

  /** Azure's NCads H100 v5 series carries the 94 GB H100 NVL, a different part from the SXM H100 80GB. */
  public static readonly NVIDIA_H100_NVL = new Accelerator('nvidia-h100-nvl', 'NVIDIA H100 NVL 94GB', 94, {
    [Cloud.AKS]: {
      name: 'NCadsH100_v5',
      machines: [...fixed(1, 'Standard_NC40ads_H100_v5'), ...fixed(2, 'Standard_NC80adis_H100_v5')],
    },
  });

  /** Every accelerator in the catalogue. */
  public static all(): readonly Accelerator[] {
    return CATALOGUE;
  }

  /** The catalogue entry with this id (e.g. `nvidia-l4`), if any. */
  public static fromId(id: string): Accelerator | undefined {
    checkArguments('Accelerator.fromId', { id }, { id: 'string' });
    return CATALOGUE.find((a) => a.id === id);
  }

  /** The accelerator a fixed-GPU machine type always comes with, if any (e.g. `g2-standard-8` → L4). */
  public static builtInto(cloud: Cloud, machineType: string): Accelerator | undefined {
    checkArguments('Accelerator.builtInto', { cloud, machineType }, { cloud: CLOUD, machineType: 'string' });
    return CATALOGUE.find((a) => a.offers[cloud]?.machines.some((m) => m.machineType === machineType && !m.machineType.startsWith('n1-')));
  }

  private constructor(
    /** Stable id, used as the value of the accelerator node label and in JSON profiles. */
    public readonly id: string,
    public readonly displayName: string,
    public readonly memoryGiB: number,
    private readonly offers: Partial<Record<Cloud, AcceleratorOffer>>,
  ) {}

  /** How `cloud` sells this accelerator; `undefined` when it does not. */
  public offerOn(cloud: Cloud): AcceleratorOffer | undefined {
    checkArguments('Accelerator.offerOn', { cloud }, { cloud: CLOUD });
    return this.offers[cloud];
  }

  /** GPU counts `machineType` can carry on `cloud`; empty when it cannot carry this accelerator. */
  public gpuCountsOn(cloud: Cloud, machineType: string): readonly number[] {
    checkArguments('Accelerator.gpuCountsOn', { cloud, machineType }, { cloud: CLOUD, machineType: 'string' });
    return this.offers[cloud]?.machines.find((m) => m.machineType === machineType)?.gpuCounts ?? [];
  }

  /** The smallest machine on `cloud` that carries exactly `gpus` of this accelerator. */
  public smallestMachine(cloud: Cloud, gpus: number): string | undefined {
    checkArguments('Accelerator.smallestMachine', { cloud, gpus }, { cloud: CLOUD, gpus: 'number' });
    return this.offers[cloud]?.machines.find((m) => m.gpuCounts.includes(gpus))?.machineType;
  }

  public toString(): string {
    return this.displayName;
  }
}

const CATALOGUE: readonly Accelerator[] = [
  Accelerator.NVIDIA_T4,
  Accelerator.NVIDIA_L4,
  Accelerator.NVIDIA_A10G,
  Accelerator.NVIDIA_A10,
  Accelerator.NVIDIA_A100_40GB,
  Accelerator.NVIDIA_A100_80GB,
  Accelerator.NVIDIA_H100_80GB,
  Accelerator.NVIDIA_H100_NVL,
];
