/**
 * The migrated database matches prisma/schema.prisma: every model's table and every scalar field's
 * column exist with the right type family and nullability, and unique constraints, primary and
 * foreign keys are in place. The schema is read through Prisma's own DMMF (the schema engine's
 * WebAssembly build), and the generated client is checked to be built from the same schema.
 */
import { readFile } from 'node:fs/promises';
import { getDMMF } from '../helpers/dmmf.ts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/generated/client.ts';
import { createTestDatabase } from '../helpers/database.ts';
import type { TestDatabase } from '../helpers/database.ts';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueFields: string[][];
}

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

/** The PostgreSQL type Prisma's migrations use for a scalar field. */
function expectedDataType(field: DmmfField, enumDbNames: Map<string, string>): { dataType: string; udtName?: string } {
  if (field.isList) {
    const element = field.kind === 'enum' ? enumDbNames.get(field.type)! : ({ Float: 'float8', Int: 'int4', String: 'text' } as Record<string, string>)[field.type]!;
    return { dataType: 'ARRAY', udtName: `_${element}` };
  }
  if (field.kind === 'enum') return { dataType: 'USER-DEFINED', udtName: enumDbNames.get(field.type)! };
  const native = field.nativeType?.[0];
  switch (field.type) {
    case 'String':
      return { dataType: native === 'Uuid' ? 'uuid' : 'text' };
    case 'Int':
      return { dataType: 'integer' };
    case 'BigInt':
      return { dataType: 'bigint' };
    case 'Float':
      return { dataType: 'double precision' };
    case 'Boolean':
      return { dataType: 'boolean' };
    case 'DateTime':
      if (native === 'Date') return { dataType: 'date' };
      return { dataType: native === 'Timestamptz' ? 'timestamp with time zone' : 'timestamp without time zone' };
    case 'Json':
      return { dataType: 'jsonb' };
    case 'Bytes':
      return { dataType: 'bytea' };
    default:
      throw new Error(`no expectation for Prisma type ${field.type}`);
  }
}

describe('the migrated database', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let models: DmmfModel[];
  let enumDbNames: Map<string, string>;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName)!;
    return field.dbName ?? field.name;
  };

  beforeAll(async () => {
    const dmmf = await getDMMF(await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8'));
    models = dmmf.datamodel.models as DmmfModel[];
    enumDbNames = new Map(dmmf.datamodel.enums.map((e: { name: string; dbName?: string | null }) => [e.name, e.dbName ?? e.name]));
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('was generated into a client from the same schema', () => {
    expect(Object.values(Prisma.ModelName).sort()).toEqual(models.map((m) => m.name).sort());
  });

  it("has a table for every model and a column of the right type family and nullability for every scalar field", async () => {
    const { rows } = await client.query<Column>(
      "SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'",
    );
    const columns = new Map(rows.map((row) => [`${row.table_name}.${row.column_name}`, row]));
    const checked: string[] = [];
    for (const model of models) {
      for (const field of model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum')) {
        const name = `${model.dbName ?? model.name}.${field.dbName ?? field.name}`;
        const column = columns.get(name);
        expect(column, `${model.name}.${field.name} → column ${name}`).toBeDefined();
        const expected = expectedDataType(field, enumDbNames);
        expect(column!.data_type, `${name} type`).toBe(expected.dataType);
        if (expected.udtName) expect(column!.udt_name, `${name} element type`).toBe(expected.udtName);
        // Prisma stores scalar lists in nullable array columns; everything else follows isRequired.
        expect(column!.is_nullable, `${name} nullability`).toBe(field.isList || !field.isRequired ? 'YES' : 'NO');
        checked.push(name);
      }
    }
    expect(checked.length).toBeGreaterThan(60);
  });

  it('has the primary key, unique constraints and foreign keys the schema declares', async () => {
    const { rows: indexes } = await client.query<{ table_name: string; columns: string[]; is_unique: boolean; is_primary: boolean }>(`
      SELECT t.relname AS table_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
             array_agg(a.attname::text ORDER BY k.ordinality) AS columns
      FROM pg_index ix
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE ix.indpred IS NULL
      GROUP BY t.relname, ix.indexrelid, ix.indisunique, ix.indisprimary`);
    const key = (table: string, cols: string[]) => `${table}(${cols.join(',')})`;
    const uniqueIndexes = new Set(indexes.filter((i) => i.is_unique).map((i) => key(i.table_name, i.columns)));
    const primaryKeys = new Set(indexes.filter((i) => i.is_primary).map((i) => key(i.table_name, i.columns)));
    const { rows: foreignKeys } = await client.query<{ table_name: string; column_name: string; foreign_table: string; foreign_column: string }>(`
      SELECT kcu.table_name, kcu.column_name, ccu.table_name AS foreign_table, ccu.column_name AS foreign_column
      FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
      JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'`);
    const foreignKeySet = new Set(foreignKeys.map((fk) => `${fk.table_name}.${fk.column_name}→${fk.foreign_table}.${fk.foreign_column}`));
    const tableOf = (name: string) => {
      const model = models.find((m) => m.name === name)!;
      return { model, table: model.dbName ?? model.name };
    };

    for (const model of models) {
      const table = model.dbName ?? model.name;
      const idFields = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
      expect(primaryKeys.has(key(table, idFields.map((f) => columnOf(model, f)))), `${table} primary key`).toBe(true);
      const uniques = [...model.uniqueFields, ...model.fields.filter((f) => f.isUnique).map((f) => [f.name])];
      for (const fields of uniques) {
        expect(uniqueIndexes.has(key(table, fields.map((f) => columnOf(model, f)))), `${table} unique ${fields.join(', ')}`).toBe(true);
      }
      for (const relation of model.fields.filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0)) {
        const target = tableOf(relation.type);
        relation.relationFromFields!.forEach((from, i) => {
          const fk = `${table}.${columnOf(model, from)}→${target.table}.${columnOf(target.model, relation.relationToFields![i]!)}`;
          expect(foreignKeySet.has(fk), `foreign key ${fk}`).toBe(true);
        });
      }
    }
  });

  it('allows at most one active version per model name', async () => {
    const insert = (version: number) =>
      client.query(
        `INSERT INTO segmentation_model (name, version, status, algorithm, parameters, feature_schema, centroids, metrics, updated_at)
         VALUES ('m', $1, 'active', 'kmeans', '{}', '{}', '\\x00', '{}', now())`,
        [version],
      );
    await insert(1);
    await expect(insert(2)).rejects.toThrow(/segmentation_model_one_active_per_name/);
  });
});
