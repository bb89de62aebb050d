import { App, TerraformStack } from 'cdktf';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findAwsProviderMirror, findTerraform, RunningProvider, startAwsProvider, TerraformRunner, terraformRunner } from './terraform-tools';

/**
 * Day-2 planning with the real aws provider and no AWS account: plan version 1 of a stack, turn the
 * plan into a Terraform state, then plan version 2 against that state with `-refresh=false`. The
 * provider itself then says, per resource, whether the change updates in place or replaces.
 *
 * The state holds version 1's planned values. Attributes the plan leaves unknown get placeholders
 * of the schema's type (a one-element list where the schema has a list, so `resources[0]
 * .autoscaling_groups[0].name` exists). Attributes that are unknown only because they refer to
 * another resource (`vpc_id = aws_vpc.x.id`) must equal that resource's placeholder; rather than
 * re-implement Terraform's expression evaluation, the harness re-plans version 1 against its own
 * state and takes the values Terraform now knows, until version 1 plans to no changes. It then
 * checks that no value that version 1's plan knew was changed on the way.
 */
export const AWS_PROVIDER_VERSION = '5.100.0';
const PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';
const MAX_SETTLE_ROUNDS = 6;
// Plans read only the state given: no AWS account is reached, and no lock is needed.
const PLAN_FLAGS = ['-input=false', '-refresh=false', '-lock=false', '-out=plan.bin'];

export type Json = any;

/** A resource change of `terraform show -json`, reduced to what the tests read. */
export interface Change {
  readonly address: string;
  readonly type: string;
  readonly actions: string[];
  readonly replacePaths: unknown[];
  readonly before: Json;
  readonly after: Json;
}

export class Day2Harness {
  /** A harness whose terraform commands all attach to one aws provider process; `stop()` ends it. */
  public static async start(): Promise<Day2Harness> {
    const terraform = findTerraform();
    const mirror = findAwsProviderMirror(AWS_PROVIDER_VERSION);
    return new Day2Harness(terraform, mirror, await startAwsProvider(mirror, AWS_PROVIDER_VERSION));
  }

  public readonly dir: string;
  private readonly run: TerraformRunner;
  private schemas: Record<string, { version: number; block: Json }> = {};

  private constructor(private readonly terraform: string, private readonly mirror: string, private readonly provider: RunningProvider) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-day2-'));
    this.run = terraformRunner(this.terraform, this.dir, this.mirror, this.provider);
  }

  public stop(): Promise<void> {
    return this.provider.stop();
  }

  /** Synthesizes one stack with the real `app.synth()` and returns its Terraform JSON. */
  public static synth(stackId: string, build: (app: App) => void): Json {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-day2-synth-'));
    const app = new App({ outdir });
    build(app);
    app.synth();
    return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stackId, 'cdk.tf.json'), 'utf8'));
  }

  /** Plans `stack` against `state` (none: an empty state) and returns the changes and the plan. */
  public plan(stack: Json, state?: Json): { changes: Change[]; plan: Json } {
    this.write(stack);
    const plan = this.planDir(this.dir, this.run, state);
    return { changes: (plan.resource_changes ?? []).map(changeOf), plan };
  }

  /**
   * Plans every stack of `stacks` against `state`, each as if alone, in one terraform plan: each
   * stack becomes a module of one root (which holds the provider), and `state` is copied into each
   * module. Terraform and the provider start once instead of once per stack, and the provider plans
   * each resource as it would at the root. Addresses come back without the module prefix.
   */
  public planEach(stacks: Record<string, Json>, state: Json): Record<string, Change[]> {
    const dir = fs.mkdtempSync(path.join(this.dir, 'each-'));
    const names = Object.keys(stacks);
    const root: Json = { module: {} };
    names.forEach((name, i) => {
      const { terraform, provider, ...body } = this.prepare(stacks[name]);
      if (i === 0) Object.assign(root, { terraform, provider });
      if (JSON.stringify({ terraform, provider }) !== JSON.stringify({ terraform: root.terraform, provider: root.provider })) {
        throw new Error(`planEach: "${name}" configures terraform or its providers differently from "${names[0]}"; plan it alone`);
      }
      fs.mkdirSync(path.join(dir, `m${i}`));
      fs.writeFileSync(path.join(dir, `m${i}`, 'main.tf.json'), JSON.stringify({ ...body, terraform: { required_providers: terraform.required_providers } }));
      root.module[`m${i}`] = { source: `./m${i}` };
    });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(root));
    const perModule = { ...state, resources: names.flatMap((_, i) => state.resources.map((r: Json) => ({ module: `module.m${i}`, ...r }))) };
    const plan = this.planDir(dir, terraformRunner(this.terraform, dir, this.mirror, this.provider), perModule);
    const out: Record<string, Change[]> = Object.fromEntries(names.map((name) => [name, []]));
    for (const rc of plan.resource_changes ?? []) {
      const i = /^module\.m(\d+)$/.exec(rc.module_address ?? '')?.[1];
      if (i === undefined) throw new Error(`planEach: ${rc.address} is outside the stacks' modules`);
      out[names[Number(i)]].push(changeOf({ ...rc, address: rc.address.slice(`module.m${i}.`.length) }));
    }
    return out;
  }

  private planDir(dir: string, run: TerraformRunner, state?: Json): Json {
    this.writeState(dir, state);
    if (!fs.existsSync(path.join(dir, '.terraform'))) run('init', '-input=false');
    run('plan', ...PLAN_FLAGS);
    return JSON.parse(run('show', '-json', 'plan.bin'));
  }

  /** The plan of `stack` against `state`, or undefined when terraform says it has no changes (no `show` then). */
  private planIfChanged(stack: Json, state: Json): Json | undefined {
    this.write(stack);
    this.writeState(this.dir, state);
    if (!this.run.planHasChanges(...PLAN_FLAGS)) return undefined;
    return JSON.parse(this.run('show', '-json', 'plan.bin'));
  }

  private writeState(dir: string, state?: Json): void {
    const stateFile = path.join(dir, 'terraform.tfstate');
    if (state) fs.writeFileSync(stateFile, JSON.stringify(state));
    else fs.rmSync(stateFile, { force: true });
  }

  /**
   * The state version 1 would leave after apply, settled until version 1 re-plans to no changes.
   * Returns the state, the number of re-plans it took, and every known planned value that settling
   * had to change (empty when the harness is sound).
   */
  public settle(stack: Json): { state: Json; rounds: number; overwritten: string[] } {
    const first = this.plan(stack).plan;
    this.loadSchemas();
    const known = new Map<string, Json>();
    const resources = new Map<string, Json>();
    for (const rc of first.resource_changes) {
      const schema = this.schema(rc.type);
      known.set(rc.address, rc.change.after);
      resources.set(rc.address, { type: rc.type, name: rc.name, attributes: fill(rc.change.after, rc.change.after_unknown, schema.block, rc.address) });
    }
    let rounds = 0;
    for (; rounds < MAX_SETTLE_ROUNDS; rounds++) {
      // Exit 0 of -detailed-exitcode means every resource's action is no-op: settled, without `show`.
      const plan = this.planIfChanged(stack, this.state(resources));
      const pending = (plan?.resource_changes ?? []).filter((rc: Json) => rc.change.actions.join() !== 'no-op');
      if (pending.length === 0) break;
      for (const rc of pending) {
        const current = resources.get(rc.address);
        resources.set(rc.address, { ...current, attributes: keepUnknown(rc.change.after, rc.change.after_unknown, current.attributes) });
      }
    }
    const overwritten: string[] = [];
    for (const [address, after] of known) diffKnown(after, resources.get(address).attributes, address, overwritten);
    return { state: this.state(resources), rounds, overwritten };
  }

  private state(resources: Map<string, Json>): Json {
    return {
      version: 4,
      terraform_version: '1.11.4',
      serial: 1,
      lineage: '00000000-0000-4000-8000-000000000001',
      outputs: {},
      resources: [...resources.values()].map((r) => ({
        mode: 'managed',
        type: r.type,
        name: r.name,
        provider: PROVIDER,
        instances: [{ schema_version: this.schema(r.type).version, attributes: r.attributes, sensitive_attributes: [] }],
      })),
    };
  }

  private write(stack: Json): void {
    fs.writeFileSync(path.join(this.dir, 'cdk.tf.json'), JSON.stringify(this.prepare(stack)));
  }

  private prepare(stack: Json): Json {
    const copy = JSON.parse(JSON.stringify(stack));
    // Test-only settings: keep state in the work dir and plan without reaching AWS.
    copy.terraform.backend = { local: { path: 'terraform.tfstate' } };
    Object.assign(copy.provider.aws[0], {
      access_key: 'AKIAIOSFODNN7EXAMPLE',
      secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    });
    return copy;
  }

  private loadSchemas(): void {
    if (Object.keys(this.schemas).length > 0) return;
    const all = JSON.parse(this.run('providers', 'schema', '-json'));
    this.schemas = all.provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas;
  }

  private schema(type: string) {
    const schema = this.schemas[type];
    if (!schema) throw new Error(`no schema for ${type}`);
    return schema;
  }
}

function changeOf(rc: Json): Change {
  return { address: rc.address, type: rc.type, actions: rc.change.actions, replacePaths: rc.change.replace_paths ?? [], before: rc.change.before, after: rc.change.after };
}

/** Synthesizes one stack built by `build` in a fresh app: version 1 or version 2 of a program. */
export function stackOf(stackId: string, build: (stack: TerraformStack) => void): Json {
  return Day2Harness.synth(stackId, (app) => build(new TerraformStack(app, stackId)));
}

/** The schema node (a block, or a cty type) of `key` below `node`. */
function child(node: Json, key: string | number): Json {
  if (node === undefined) return undefined;
  if (node.attributes || node.block_types) {
    if (node.attributes?.[key]) return node.attributes[key].type;
    const nested = node.block_types?.[key];
    return nested ? (['single', 'group'].includes(nested.nesting_mode) ? nested.block : { blockList: nested.block }) : undefined;
  }
  if (node.blockList) return node.blockList;
  if (Array.isArray(node)) {
    const [kind, inner] = node;
    if (kind === 'object') return inner[key];
    if (kind === 'tuple') return inner[key as number];
    return inner; // list, set, map
  }
  return undefined;
}

/** `value` with every unknown leaf of `unknown` replaced by a placeholder of the schema's type. */
function fill(value: Json, unknown: Json, schema: Json, where: string): Json {
  if (unknown === true) return placeholder(schema, where);
  if (Array.isArray(unknown)) return unknown.map((u, i) => fill(value?.[i], u, child(schema, i), `${where}[${i}]`));
  if (unknown && typeof unknown === 'object') {
    const out = { ...(value ?? {}) };
    for (const [key, u] of Object.entries(unknown)) out[key] = fill(value?.[key], u, child(schema, key), `${where}.${key}`);
    return out;
  }
  return value;
}

/** `after`, except where it is unknown: there the value the state already has. */
function keepUnknown(after: Json, unknown: Json, prior: Json): Json {
  if (unknown === true) return prior;
  if (Array.isArray(unknown)) return unknown.map((u, i) => keepUnknown(after?.[i], u, prior?.[i]));
  if (unknown && typeof unknown === 'object') {
    const out = { ...(after ?? {}) };
    for (const [key, u] of Object.entries(unknown)) out[key] = keepUnknown(after?.[key], u, prior?.[key]);
    return out;
  }
  return after;
}

/** Records where a value the first plan knew differs in the settled state. */
function diffKnown(known: Json, settled: Json, where: string, out: string[]): void {
  if (known === null || known === undefined) return;
  if (typeof known !== 'object') {
    if (known !== settled) out.push(`${where}: ${JSON.stringify(known)} became ${JSON.stringify(settled)}`);
    return;
  }
  for (const [key, value] of Object.entries(known)) diffKnown(value, settled?.[key], `${where}.${key}`, out);
}

/** A value of the schema's type; strings look like what the provider validates (ARNs, URLs). */
function placeholder(schema: Json, where: string): Json {
  if (schema === undefined) return null;
  if (schema.attributes || schema.block_types) {
    const out: Json = {};
    for (const [key, attr] of Object.entries<Json>(schema.attributes ?? {})) out[key] = attr.computed && !attr.optional && !attr.required ? placeholder(attr.type, `${where}.${key}`) : null;
    return out;
  }
  if (schema.blockList) return [placeholder(schema.blockList, `${where}[0]`)];
  if (schema === 'string') return placeholderString(where);
  if (schema === 'number') return 0;
  if (schema === 'bool') return false;
  const [kind, inner] = schema;
  if (kind === 'list' || kind === 'set') return [placeholder(inner, `${where}[0]`)];
  if (kind === 'map') return {};
  if (kind === 'object') return Object.fromEntries(Object.entries(inner).map(([k, t]) => [k, placeholder(t, `${where}.${k}`)]));
  return null;
}

function placeholderString(where: string): string {
  const hash = createHash('sha256').update(where).digest('hex').slice(0, 10);
  const key = where.split('.').pop()!.replace(/\[\d+\]$/, '');
  const service = where.split('.')[0].split('_')[1] ?? 'svc';
  if (key === 'arn' || key.endsWith('_arn')) return `arn:aws:${service}:us-east-1:111122223333:placeholder/ph-${hash}`;
  if (['url', 'issuer', 'endpoint'].includes(key)) return `https://ph-${hash}.example.com`;
  if (key === 'data') return Buffer.from(`ph-${hash}`).toString('base64');
  return `ph-${hash}`;
}
