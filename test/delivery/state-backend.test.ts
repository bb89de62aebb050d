import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMultiCloud, stateBackend } from '../../examples/multi-cloud/main';
import { Cloud, S3StateLocking, StateBackend, synthPlatform } from '../../lib';
import { findAwsProviderMirror, findTerraform, terraformRunner } from '../e2e/terraform-tools';
import { failureMessage } from '../failure';

const withRemoteState = () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-state-'));
  const previous = process.env.ML_PLATFORM_STATE;
  process.env.ML_PLATFORM_STATE = 'remote';
  try {
    const terraform = new App({ outdir });
    buildMultiCloud(terraform);
    synthPlatform({ terraform });
  } finally {
    if (previous === undefined) delete process.env.ML_PLATFORM_STATE; else process.env.ML_PLATFORM_STATE = previous;
  }
  const stack = (name: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  return { outdir, stack, manifest };
};

// Terraform 1.11's documented settings of each backend (developer.hashicorp.com/terraform/language/backend/<name>).
const GCS_SETTINGS = { required: ['bucket'], optional: ['prefix', 'credentials', 'access_token', 'impersonate_service_account', 'impersonate_service_account_delegates', 'encryption_key', 'kms_encryption_key', 'storage_custom_endpoint'] };
const AZURERM_SETTINGS = {
  required: ['storage_account_name', 'container_name', 'key'],
  optional: ['resource_group_name', 'subscription_id', 'tenant_id', 'client_id', 'client_secret', 'client_certificate_path', 'client_certificate_password', 'use_azuread_auth',
    'use_oidc', 'oidc_request_url', 'oidc_request_token', 'oidc_token', 'oidc_token_file_path', 'use_msi', 'msi_endpoint', 'use_cli', 'use_aks_workload_identity', 'access_key', 'sas_token',
    'environment', 'endpoint', 'metadata_host', 'snapshot', 'lookup_blob_endpoint'],
};

const fieldErrors = (config: Record<string, unknown>, settings: { required: string[]; optional: string[] }) => [
  ...settings.required.filter((f) => config[f] === undefined).map((f) => `missing ${f}`),
  ...Object.keys(config).filter((f) => !settings.required.includes(f) && !settings.optional.includes(f)).map((f) => `unknown ${f}`),
];

describe('remote state of the default example (ML_PLATFORM_STATE=remote)', () => {
  const { outdir, stack, manifest } = withRemoteState();
  const names = ['ml-gke', 'ml-gke-addons', 'ml-eks', 'ml-eks-addons', 'ml-aks', 'ml-aks-addons'];

  test('every stack keeps its own state object in its cloud\'s storage', () => {
    const where = names.map((n) => {
      const [[kind, config]] = Object.entries<any>(stack(n).terraform.backend);
      return `${kind}:${config.bucket ?? config.storage_account_name}/${config.key ?? config.prefix}`;
    });
    expect(where).toEqual([
      'gcs:acme-ml-platform-tfstate/ml-platform/ml-gke', 'gcs:acme-ml-platform-tfstate/ml-platform/ml-gke-addons',
      's3:acme-ml-platform-tfstate/ml-platform/ml-eks.tfstate', 's3:acme-ml-platform-tfstate/ml-platform/ml-eks-addons.tfstate',
      'azurerm:acmemlplatformstate/ml-platform/ml-aks.tfstate', 'azurerm:acmemlplatformstate/ml-platform/ml-aks-addons.tfstate',
    ]);
  });

  test('the S3 state is encrypted and locked with a lock file', () => {
    expect(stack('ml-eks').terraform.backend.s3).toEqual({ bucket: 'acme-ml-platform-tfstate', key: 'ml-platform/ml-eks.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true });
  });

  test('the GCS and azurerm blocks use only the settings Terraform documents, required ones included', () => {
    for (const n of ['ml-gke', 'ml-gke-addons']) expect(fieldErrors(stack(n).terraform.backend.gcs, GCS_SETTINGS)).toEqual([]);
    for (const n of ['ml-aks', 'ml-aks-addons']) expect(fieldErrors(stack(n).terraform.backend.azurerm, AZURERM_SETTINGS)).toEqual([]);
    expect(stack('ml-aks').terraform.backend.azurerm.use_azuread_auth).toBe(true);
  });

  test('an add-ons stack reads its cluster\'s outputs from the cluster\'s remote state, with the same settings', () => {
    for (const [cloud, kind] of [['gke', 'gcs'], ['eks', 's3'], ['aks', 'azurerm']]) {
      const [remote] = Object.values<any>(stack(`ml-${cloud}-addons`).data.terraform_remote_state);
      expect(remote.backend).toBe(kind);
      const own = { ...stack(`ml-${cloud}`).terraform.backend[kind] };
      delete own.use_lockfile;
      expect(remote.config).toEqual(own);
    }
  });

  test('the S3 backend stack passes terraform init -backend=false and validate with the real aws provider', () => {
    const work = path.join(outdir, 'stacks', 'ml-eks');
    const run = terraformRunner(findTerraform(), work, findAwsProviderMirror('5.100.0'));
    run('init', '-backend=false', '-input=false');
    expect(JSON.parse(run('validate', '-json'))).toMatchObject({ valid: true, error_count: 0 });
  }, 180_000);

  test('cdktf deploy applies each cluster stack before its add-ons', () => {
    for (const cloud of ['gke', 'eks', 'aks']) expect(manifest.stacks[`ml-${cloud}-addons`].dependencies).toEqual([`ml-${cloud}`]);
  });
});

describe('local state (the default)', () => {
  test('is a path relative to the stack directory, so the output does not carry the machine\'s directory', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-state-local-'));
    const terraform = new App({ outdir });
    buildMultiCloud(terraform);
    synthPlatform({ terraform });
    const backend = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'ml-eks', 'cdk.tf.json'), 'utf8')).terraform.backend;
    expect(backend).toEqual({ local: { path: '../../../terraform.ml-eks.tfstate' } });
  });

  test('the switch picks the cloud\'s storage only when asked', () => {
    expect(stateBackend(Cloud.GKE, false)).toEqual(StateBackend.local());
  });
});

describe('StateBackend', () => {
  const synthWith = (backend: StateBackend) => () => {
    const terraform = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-state-bad-')) });
    backend.applyTo(new TerraformStack(terraform, 'stack'));
    synthPlatform({ terraform });
  };
  const expectFailure = (action: () => unknown, ...parts: string[]) => { const m = failureMessage(action); for (const p of parts) expect(m).toContain(p); };

  test('fails when the S3 bucket name has capitals', () => {
    expectFailure(synthWith(StateBackend.s3({ bucket: 'Acme_State', region: 'eu-west-1', locking: S3StateLocking.lockfile() })), 'STATE_BUCKET_INVALID', 'Acme_State', '3–63 lowercase');
  });
  test('fails when the S3 region is not a region', () => {
    expectFailure(synthWith(StateBackend.s3({ bucket: 'acme-state', region: 'Ireland', locking: S3StateLocking.dynamoDb('locks') })), 'STATE_REGION_INVALID', 'Ireland', 'eu-west-1');
  });
  test('fails when the GCS bucket starts with goog', () => {
    expectFailure(synthWith(StateBackend.gcs({ bucket: 'google-state' })), 'STATE_BUCKET_INVALID', 'google-state', 'not starting with "goog"');
  });
  test('fails when the prefix starts with a slash', () => {
    expectFailure(synthWith(StateBackend.gcs({ bucket: 'acme-state', prefix: '/state' })), 'STATE_PREFIX_INVALID', '/state', 'without a leading');
  });
  test('fails when the storage account name is too long', () => {
    expectFailure(synthWith(StateBackend.azurerm({ resourceGroupName: 'rg', storageAccountName: 'acmemachinelearningplatformstate', containerName: 'tfstate' })), 'STATE_STORAGE_ACCOUNT_INVALID', 'acmemachinelearningplatformstate', '3–24');
  });
  test('fails when the container name has a double hyphen', () => {
    expectFailure(synthWith(StateBackend.azurerm({ resourceGroupName: 'rg', storageAccountName: 'acmestate', containerName: 'tf--state' })), 'STATE_CONTAINER_INVALID', 'tf--state', 'single "-"');
  });
  test('locks with a DynamoDB table when asked, instead of a lock file', () => {
    const terraform = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-state-ddb-')) });
    StateBackend.s3({ bucket: 'acme-state', region: 'eu-west-1', locking: S3StateLocking.dynamoDb('terraform-locks') }).applyTo(new TerraformStack(terraform, 'stack'));
    synthPlatform({ terraform });
    const backend = JSON.parse(fs.readFileSync(path.join(terraform.outdir, 'stacks', 'stack', 'cdk.tf.json'), 'utf8')).terraform.backend.s3;
    expect(backend).toEqual({ bucket: 'acme-state', key: 'ml-platform/stack.tfstate', region: 'eu-west-1', encrypt: true, dynamodb_table: 'terraform-locks' });
  });
});
