import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack } from 'cdktf';
import { Accelerator, EksCluster, GkeCluster } from '../../lib';
import { synthError } from '../tf-helpers';

function validGke(stack: TerraformStack) {
  new GoogleProvider(stack, 'google', { project: 'p' });
  return new GkeCluster(stack, 'gke', { name: 'ok', project: 'p', location: 'europe-west4', network: 'n', subnetwork: 's', secretsEncryptionKey: 'k' });
}

function eksWithBadPool(stack: TerraformStack) {
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const eks = new EksCluster(stack, 'eks', { name: 'bad', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] });
  eks.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1, minNodes: 2 });
}

describe('synth gate across stacks', () => {
  test('a problem in a later stack stops the earlier stacks from being written', () => {
    const message = synthError((app) => {
      new TerraformStack(app, 'plain');
      validGke(new TerraformStack(app, 'first'));
      eksWithBadPool(new TerraformStack(app, 'second'));
    });
    expect(message).toContain('[second/eks] POOL_MIN_GT_MAX');
  });

  test('problems from every stack are listed together, each once', () => {
    const message = synthError((app) => {
      const first = new TerraformStack(app, 'first');
      validGke(first).addNodePool('cpu', { machineType: 'e2-standard-4', minNodes: 3, maxNodes: 1 });
      eksWithBadPool(new TerraformStack(app, 'second'));
    });
    expect(message.match(/\[first\/gke\] POOL_MIN_GT_MAX/g)).toHaveLength(1);
    expect(message.match(/\[second\/eks\] POOL_MIN_GT_MAX/g)).toHaveLength(1);
    expect(message).toContain('Validation failed with 2 problem(s)');
  });
});
