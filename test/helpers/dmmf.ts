import { createRequire } from 'node:module';

interface SchemaWasm {
  get_dmmf(params: string): string;
}

/** Prisma's DMMF of a schema, from the schema engine's WebAssembly build (no native engine needed). */
export async function getDMMF(prismaSchema: string) {
  const wasm = createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as SchemaWasm;
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema }))) as {
    datamodel: { models: unknown[]; enums: Array<{ name: string; dbName?: string | null }> };
  };
}
