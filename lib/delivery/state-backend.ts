import type { TerraformBackend, TerraformStack } from 'cdktf';
import { cdktf } from '../clusters/bindings';
import { PropsShape, shapeProblems, throwProblems } from '../core/props-shape';
import { Problems } from '../core/validation';

/** How concurrent runs on one S3 state are kept apart. */
export class S3StateLocking {
  /** A lock object next to the state (`use_lockfile`, Terraform 1.10 and later): no table to run. */
  public static lockfile(): S3StateLocking {
    return new S3StateLocking(undefined);
  }

  /** A DynamoDB table with a `LockID` string partition key (`dynamodb_table`), for Terraform before 1.10. */
  public static dynamoDb(table: string): S3StateLocking {
    if (typeof table !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
      throwProblems('S3StateLocking.dynamoDb', [{ code: 'STATE_LOCK_TABLE_INVALID', message: 'The lock table name breaks DynamoDB\'s naming rules.', received: table, fix: 'use 3–255 letters, digits, "_", "-" and ".".' }]);
    }
    return new S3StateLocking(table);
  }

  private constructor(public readonly dynamoDbTable: string | undefined) {}
}

export interface S3StateProps {
  readonly bucket: string;
  readonly region: string;
  readonly locking: S3StateLocking;
  /** Folder of the state objects; each stack's state is `<keyPrefix>/<stack>.tfstate`. @default 'ml-platform' */
  readonly keyPrefix?: string;
  /** KMS key for the state objects. @default - the bucket's default encryption (state is always encrypted at rest) */
  readonly kmsKeyId?: string;
}

export interface GcsStateProps {
  readonly bucket: string;
  /** Folder of the state objects; each stack's state is `<prefix>/<stack>/default.tfstate`. @default 'ml-platform' */
  readonly prefix?: string;
  /** Cloud KMS key for the state objects. @default - Google-managed encryption */
  readonly kmsEncryptionKey?: string;
}

export interface AzurermStateProps {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
  /** Folder of the state blobs; each stack's state is `<keyPrefix>/<stack>.tfstate`. @default 'ml-platform' */
  readonly keyPrefix?: string;
}

const LOCKING_SHAPE = { instanceOf: S3StateLocking, name: 'S3StateLocking (S3StateLocking.lockfile() or .dynamoDb(table))' } as const;
const S3_SHAPE: PropsShape = { bucket: 'string', region: 'string', locking: LOCKING_SHAPE, keyPrefix: 'string', kmsKeyId: 'string' };
const GCS_SHAPE: PropsShape = { bucket: 'string', prefix: 'string', kmsEncryptionKey: 'string' };
const AZURERM_SHAPE: PropsShape = { resourceGroupName: 'string', storageAccountName: 'string', containerName: 'string', keyPrefix: 'string' };

/**
 * The stack a backend goes in, checked first: cdktf's own errors for a missing stack or a second
 * backend name no stack and no fix.
 */
function checkStack(stack: unknown): void {
  const { TerraformBackend, TerraformStack } = cdktf();
  if (!TerraformStack.isStack(stack)) {
    throwProblems('StateBackend.applyTo', [{ code: 'PROP_TYPE_INVALID', message: 'stack must be a cdktf TerraformStack.', received: stack, fix: 'pass the stack whose state this backend keeps.' }]);
  } else if (stack.node.findAll().some((c) => TerraformBackend.isBackend(c))) {
    throwProblems(`StateBackend.applyTo ${stack.node.path}`, [{ code: 'STATE_BACKEND_DUPLICATE', message: 'The stack has a state backend already; Terraform takes one per stack.', received: stack.node.path, fix: 'apply one StateBackend to each stack.' }]);
  }
}

/** The factories run outside a construct tree, so a JavaScript caller's bad shape is thrown as listed problems. */
function checkShape<T>(factory: string, props: T, shape: PropsShape, required: readonly string[]): T {
  throwProblems(`StateBackend.${factory}`, shapeProblems(props, shape, required, 'props'));
  return props;
}

const S3_BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const AZURE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const AZURE_CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Where a stack keeps its Terraform state: one typed choice per stack, shared through cloud storage
 * with locking so a team (and CI) can run the same stacks. Each stack gets its own state object,
 * named after the stack, so stacks never overwrite each other's state.
 */
export abstract class StateBackend {
  /** S3, with locking (a lock file or a DynamoDB table) and encryption at rest. */
  public static s3(props: S3StateProps): StateBackend {
    return new S3State(checkShape('s3', props, S3_SHAPE, ['bucket', 'region', 'locking']));
  }

  /** Google Cloud Storage; GCS locks the state itself. */
  public static gcs(props: GcsStateProps): StateBackend {
    return new GcsState(checkShape('gcs', props, GCS_SHAPE, ['bucket']));
  }

  /** An Azure Storage blob container; Azure locks the state with a blob lease. Signs in with Entra ID, not an access key. */
  public static azurerm(props: AzurermStateProps): StateBackend {
    return new AzurermState(checkShape('azurerm', props, AZURERM_SHAPE, ['resourceGroupName', 'storageAccountName', 'containerName']));
  }

  /**
   * A local file, `terraform.<stack>.tfstate` next to `cdktf.out/`, written as a relative path
   * so the synthesized stack does not carry the machine's directory. For one person's laptop.
   */
  public static local(): StateBackend {
    return new LocalState();
  }

  /** Gives `stack` this backend, with the stack's own state object. */
  public abstract applyTo(stack: TerraformStack): TerraformBackend;
}

const stackName = (stack: TerraformStack) => stack.node.id;

function checkPrefix(problems: Problems, prefix: string): void {
  if (!PREFIX.test(prefix)) {
    problems.add({ code: 'STATE_PREFIX_INVALID', message: 'The state prefix is not a relative object path.', received: prefix, fix: 'use letters, digits, ".", "_" and "-" in "/"-separated parts, without a leading or trailing "/".' });
  }
}

class S3State extends StateBackend {
  constructor(private readonly props: S3StateProps) { super(); }

  public applyTo(stack: TerraformStack): TerraformBackend {
    checkStack(stack);
    const { bucket, region, locking, kmsKeyId } = this.props;
    const prefix = this.props.keyPrefix ?? 'ml-platform';
    const backend = new (cdktf().S3Backend)(stack, {
      bucket,
      key: `${prefix}/${stackName(stack)}.tfstate`,
      region,
      encrypt: true,
      ...(kmsKeyId ? { kmsKeyId } : {}),
      ...(locking.dynamoDbTable ? { dynamodbTable: locking.dynamoDbTable } : {}),
    });
    if (!locking.dynamoDbTable) backend.addOverride('use_lockfile', true);
    const problems = Problems.of(backend);
    if (!S3_BUCKET.test(bucket) || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
      problems.add({ code: 'STATE_BUCKET_INVALID', message: 'The S3 bucket name breaks S3\'s naming rules.', received: bucket, fix: 'use 3–63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit.' });
    }
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      problems.add({ code: 'STATE_REGION_INVALID', message: 'The state bucket\'s region is not an AWS region name.', received: region, fix: 'write it like eu-west-1 or us-east-1.' });
    }
    checkPrefix(problems, prefix);
    return backend;
  }
}

class GcsState extends StateBackend {
  constructor(private readonly props: GcsStateProps) { super(); }

  public applyTo(stack: TerraformStack): TerraformBackend {
    checkStack(stack);
    const { bucket, kmsEncryptionKey } = this.props;
    const prefix = this.props.prefix ?? 'ml-platform';
    const backend = new (cdktf().GcsBackend)(stack, { bucket, prefix: `${prefix}/${stackName(stack)}`, ...(kmsEncryptionKey ? { kmsEncryptionKey } : {}) });
    const problems = Problems.of(backend);
    if (!GCS_BUCKET.test(bucket) || bucket.startsWith('goog')) {
      problems.add({ code: 'STATE_BUCKET_INVALID', message: 'The GCS bucket name breaks Cloud Storage\'s naming rules.', received: bucket, fix: 'use 3–63 lowercase letters, digits, "-", "_" and ".", starting and ending with a letter or digit, not starting with "goog".' });
    }
    checkPrefix(problems, prefix);
    return backend;
  }
}

class AzurermState extends StateBackend {
  constructor(private readonly props: AzurermStateProps) { super(); }

  public applyTo(stack: TerraformStack): TerraformBackend {
    checkStack(stack);
    const { resourceGroupName, storageAccountName, containerName } = this.props;
    const prefix = this.props.keyPrefix ?? 'ml-platform';
    const backend = new (cdktf().AzurermBackend)(stack, {
      resourceGroupName,
      storageAccountName,
      containerName,
      key: `${prefix}/${stackName(stack)}.tfstate`,
      useAzureadAuth: true,
    });
    const problems = Problems.of(backend);
    if (!AZURE_ACCOUNT.test(storageAccountName)) {
      problems.add({ code: 'STATE_STORAGE_ACCOUNT_INVALID', message: 'The storage account name breaks Azure\'s naming rules.', received: storageAccountName, fix: 'use 3–24 lowercase letters and digits.' });
    }
    if (!AZURE_CONTAINER.test(containerName)) {
      problems.add({ code: 'STATE_CONTAINER_INVALID', message: 'The blob container name breaks Azure\'s naming rules.', received: containerName, fix: 'use 3–63 lowercase letters, digits and single "-", starting and ending with a letter or digit.' });
    }
    checkPrefix(problems, prefix);
    return backend;
  }
}

class LocalState extends StateBackend {
  public applyTo(stack: TerraformStack): TerraformBackend {
    checkStack(stack);
    // Terraform runs in cdktf.out/stacks/<stack>/: three levels up is the directory holding cdktf.out.
    return new (cdktf().LocalBackend)(stack, { path: `../../../terraform.${stackName(stack)}.tfstate` });
  }
}
