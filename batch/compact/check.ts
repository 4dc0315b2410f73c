// A fast structural check of a parsed Kafka record, mirroring core/chain.ts chainRecordSchema
// field by field (the zod parse costs more than JSON.parse itself at compaction rates). The
// fields come from the lake's column table (storage/lake/schema.ts RAW_COLUMNS, one check per
// FieldType), plus the few record fields the lake does not store (some optional). It only ever says "valid" for
// what zod accepts; anything it rejects goes through decodeRecord, which stays the authority for
// the reason and the message (check.test.ts compares the two). A family's `extra` fields are
// checked as zod checks them (JSON scalars), and a v1 record is upgraded first like decodeRecord
// does (core/chain.ts upgradeV1Record), so old records stay on the fast path.
import { type ChainRecord, decodeRecord, RECORD_SCHEMA, RECORD_SCHEMA_V1, TX_CLASSES, upgradeV1Record } from '../../core/chain.js';
import { type FieldType, RAW_COLUMNS, RAW_TABLES, type RawColumns, TABLE_ROWS } from '../../storage/lake/schema.js';

const HEX32 = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const SELECTOR = /^0x[0-9a-f]{8}$/;
const UINT = /^(0|[1-9][0-9]{0,77})$/;
const UINT256_MAX = 2n ** 256n - 1n;

type Obj = Record<string, unknown>;
type Check = (v: unknown) => boolean;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';
// zod's int() accepts any integer ≤ MAX_SAFE_INTEGER; larger ones are rejected by it too.
const nonNegInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const hex32 = (v: unknown) => str(v) && HEX32.test(v);
const address = (v: unknown) => str(v) && ADDRESS.test(v);
const uint = (v: unknown) => str(v) && UINT.test(v) && (v.length < 78 || BigInt(v) <= UINT256_MAX);
const nullable = (f: Check): Check => (v: unknown) => v === null || f(v);
const txClasses = new Set<unknown>(TX_CLASSES);

function args(v: unknown): boolean {
  if (v === null) return true;
  if (!isObj(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

/** familyExtrasSchema: absent, or a plain object of string / number / boolean / null values. */
function extras(v: unknown): boolean {
  if (v === undefined) return true;
  if (!isObj(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) {
    const x = v[k];
    if (x !== null && typeof x !== 'string' && typeof x !== 'boolean' && !(typeof x === 'number' && Number.isFinite(x))) return false;
  }
  return true;
}
/** The record's family tag: absent or a non-empty string. */
const familyTag = (v: unknown): boolean => v === undefined || (str(v) && v.length > 0);

/** What zod accepts for each field type of the column table. */
const FIELD_CHECKS: Record<FieldType, Check> = {
  int: nonNegInt,
  positiveInt: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0,
  hex32,
  'hex32?': nullable(hex32),
  address,
  'address?': nullable(address),
  uint,
  'uint?': nullable(uint),
  txClass: (v) => txClasses.has(v),
  'selector?': nullable((v) => str(v) && SELECTOR.test(v)),
  'string?': nullable(str),
  'args?': args,
  status: (v) => v === 0 || v === 1 || v === null,
};

/** Record fields the lake does not store (it takes block_number from the block), checked all the same. */
const UNSTORED_ITEM_FIELDS: Record<'transactions' | 'tokenTransfers', [string, FieldType][]> = {
  transactions: [['blockNumber', 'int']],
  tokenTransfers: [['blockNumber', 'int']],
};

/** Optional record fields the lake does not store (absent is valid), checked all the same. */
const OPTIONAL_RECORD_FIELDS: Partial<Record<ChainRecord['kind'], [string, FieldType][]>> = {
  block: [['finalized', 'int']],
};

const CHECK_TYPES = Object.keys(FIELD_CHECKS) as FieldType[];
/** A property read in generated code: the key as a JSON string literal, so no name can inject code. */
const read = (obj: string, field: string): string => `${obj}[${JSON.stringify(field)}]`;
const test = (type: FieldType, value: string): string => `check${CHECK_TYPES.indexOf(type)}(${value})`;

/**
 * The fast check of a column table (RAW_COLUMNS in production, a copy with a new column in tests),
 * compiled once into the chain of field tests one would write by hand: a loop over the columns at
 * run time made the check 1.4× slower.
 */
export function createRecordCheck(columns: RawColumns): (r: unknown) => r is ChainRecord {
  const kinds = [...new Set(RAW_TABLES.map((t) => TABLE_ROWS[t].kind))];
  const branch = (kind: ChainRecord['kind']): string => {
    const seen = new Set<string>();
    const record: string[] = [];
    const block: string[] = [];
    const items = new Map<'transactions' | 'tokenTransfers', string[]>();
    for (const table of RAW_TABLES.filter((t) => TABLE_ROWS[t].kind === kind)) {
      const list = TABLE_ROWS[table].items;
      if (list) items.set(list, UNSTORED_ITEM_FIELDS[list].map(([field, type]) => test(type, read('x', field))));
      for (const col of columns[table]) {
        // Family columns are values of `extra`, checked as a whole below.
        if (col.from === 'kafka' || col.from === 'extra') continue;
        // Block and record fields are repeated in the rows of items; test them once.
        const key = `${col.from === 'item' ? list : col.from}.${col.field}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (col.from === 'record') record.push(test(col.type, read('r', col.field)));
        else if (col.from === 'block') block.push(test(col.type, read('b', col.field)));
        else items.get(list!)!.push(test(col.type, read('x', col.field)));
      }
    }
    if (kind === 'block') {
      record.push('familyTag(r.family)');
      block.push('extras(b.extra)');
      items.get('transactions')?.push('extras(x.extra)');
    }
    const lists = [...items].map(
      ([list, tests], i) =>
        `const l${i} = ${read('r', list)};\n    if (!Array.isArray(l${i})) return false;\n    for (let i = 0; i < l${i}.length; i++) {\n      const x = l${i}[i];\n      if (!(isObj(x) && ${tests.join(' && ')})) return false;\n    }`,
    );
    for (const [field, type] of OPTIONAL_RECORD_FIELDS[kind] ?? []) record.push(`(${read('r', field)} === undefined || ${test(type, read('r', field))})`);
    const statements = ['const b = r.block;', `if (!(${[...record, 'isObj(b)', ...block].join(' && ')})) return false;`, ...lists, 'return true;'];
    return `if (r.kind === ${JSON.stringify(kind)}) {\n    ${statements.join('\n    ')}\n  }`;
  };
  const body = `if (!isObj(r) || r.schema !== RECORD_SCHEMA) return false;\n  ${kinds.map(branch).join('\n  ')}\n  return false;`;
  const params = ['isObj', 'RECORD_SCHEMA', 'extras', 'familyTag', ...CHECK_TYPES.map((_, i) => `check${i}`)];
  return new Function(...params, `return function isChainRecord(r) {\n  ${body}\n};`)(isObj, RECORD_SCHEMA, extras, familyTag, ...CHECK_TYPES.map((t) => FIELD_CHECKS[t]));
}

/** True only if chainRecordSchema accepts the value (false may still be valid: ask decodeRecord). */
export const isChainRecord = createRecordCheck(RAW_COLUMNS);

/**
 * decodeRecord with a fast path: JSON.parse plus isChainRecord. Anything the fast path does not
 * accept is decoded by decodeRecord, so rejections keep its RecordDecodeError reason and message.
 */
export function decodeRecordFast(value: Buffer | null): ChainRecord {
  if (value !== null) {
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch {
      json = undefined;
    }
    if ((json as { schema?: unknown } | undefined)?.schema === RECORD_SCHEMA_V1) json = upgradeV1Record(json);
    if (isChainRecord(json)) return json;
  }
  return decodeRecord(value);
}
