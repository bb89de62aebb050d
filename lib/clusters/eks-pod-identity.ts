import type { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { aws } from './bindings';

/**
 * An IAM role that EKS Pod Identity hands to one service account: the role `<id>-role` that only
 * the Pod Identity agent may assume, and its association `<id>-identity`.
 */
export function podIdentityRole(scope: Construct, id: string, cluster: EksClusterResource, roleName: string, namespace: string, serviceAccount: string): IamRole {
  const { EksPodIdentityAssociation, IamRole } = aws();
  const role = new IamRole(scope, `${id}-role`, {
    name: roleName,
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    }),
  });
  new EksPodIdentityAssociation(scope, `${id}-identity`, { clusterName: cluster.name, namespace, serviceAccount, roleArn: role.arn });
  return role;
}
