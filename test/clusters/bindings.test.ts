import { App, TerraformStack } from 'cdktf';

describe('provider bindings', () => {
  test('fails when the binding of the cloud in use is not installed, naming the package to install', () => {
    jest.isolateModules(() => {
      jest.doMock('@cdktf/provider-google/lib/container-cluster', () => {
        throw Object.assign(new Error("Cannot find module '@cdktf/provider-google/lib/container-cluster'"), { code: 'MODULE_NOT_FOUND' });
      });
      const lib = require('../../lib') as typeof import('../../lib');
      const stack = new TerraformStack(new App(), 's');
      expect(() => new lib.GkeCluster(stack, 'c', { name: 'c', project: 'p', location: 'l', network: 'n', subnetwork: 's' }))
        .toThrow('@cdktf/provider-google is not installed, and this cluster needs it: npm install @cdktf/provider-google');
      // Other clouds are unaffected.
      expect(() => new lib.EksCluster(stack, 'e', { name: 'e', region: 'r', subnetIds: ['a', 'b'], admins: ['x'] })).not.toThrow();
    });
  });
});
