import type { PGlite } from '@electric-sql/pglite';
import ts from 'typescript';

interface TsColumn {
  readonly nullable: boolean;
  /** Wrapped in Generated or GeneratedAlways: an insert may leave it out. */
  readonly generated: boolean;
}

/** The tables of `interface DB` in a Kysely schema file, each column with what its type says. */
function readDbInterface(source: string): Map<string, Map<string, TsColumn>> {
  const file = ts.createSourceFile('schema.ts', source, ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  file.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const db = interfaces.get('DB');
  if (!db) throw new Error('no interface DB in the schema file');
  const tables = new Map<string, Map<string, TsColumn>>();
  for (const member of db.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const tableName = member.name.getText(file);
    const table = interfaces.get(member.type.getText(file));
    if (!table) throw new Error(`DB.${tableName}: interface ${member.type.getText(file)} not found in the same file`);
    const columns = new Map<string, TsColumn>();
    for (const column of table.members) {
      if (!ts.isPropertySignature(column) || !column.type) continue;
      const text = column.type.getText(file);
      columns.set(column.name.getText(file), {
        nullable: /\bnull\b/.test(text),
        generated: /^Generated(Always)?</.test(text),
      });
    }
    tables.set(tableName, columns);
  }
  return tables;
}

/**
 * Where a Kysely schema file (src/db/schema.ts) and a migrated database disagree: a table or
 * column on one side only, a nullable column typed as never null or the reverse, a column an
 * insert cannot set (identity or generated always) not typed Generated, or a column typed
 * Generated that the database has no default for.
 * Returns one line per disagreement, none when they agree.
 */
export async function checkKyselyTypes(db: PGlite, schemaSource: string): Promise<string[]> {
  const declared = readDbInterface(schemaSource);
  const { rows } = await db.query<{ table_name: string; column_name: string; nullable: boolean; filled: boolean; always: boolean; generated_stored: boolean }>(`
      select c.relname as table_name, a.attname as column_name, not a.attnotnull as nullable,
             (a.atthasdef or a.attidentity <> '' or a.attgenerated <> '') as filled,
             (a.attidentity = 'a' or a.attgenerated <> '') as always,
             a.attgenerated = 's' as generated_stored
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
      order by c.relname, a.attnum`);
  const actual = new Map<string, Map<string, { nullable: boolean; filled: boolean; always: boolean; generatedStored: boolean }>>();
  for (const r of rows) {
    if (!actual.has(r.table_name)) actual.set(r.table_name, new Map());
    actual.get(r.table_name)!.set(r.column_name, { nullable: r.nullable, filled: r.filled, always: r.always, generatedStored: r.generated_stored });
  }
  const problems: string[] = [];
  for (const table of actual.keys()) if (!declared.has(table)) problems.push(`table ${table} is in the database but not in DB`);
  for (const table of declared.keys()) if (!actual.has(table)) problems.push(`DB.${table} is not a table in the database`);
  for (const [table, columns] of actual) {
    const typed = declared.get(table);
    if (!typed) continue;
    for (const [name, column] of columns) {
      const t = typed.get(name);
      if (!t) {
        problems.push(`${table}.${name} is in the database but not in its interface`);
        continue;
      }
      // A stored generated column is never declared not null; its expression decides.
      if (t.nullable !== column.nullable && !column.generatedStored) problems.push(`${table}.${name} is ${column.nullable ? 'nullable' : 'not null'} in the database but typed ${t.nullable ? 'with' : 'without'} null`);
      if (column.always && !t.generated) problems.push(`${table}.${name} is generated always by the database (an insert cannot set it) but not typed Generated`);
      if (t.generated && !column.filled) problems.push(`${table}.${name} is typed Generated but the database has no default for it`);
    }
    for (const name of typed.keys()) if (!columns.has(name)) problems.push(`${table}.${name} is typed but not a column in the database`);
  }
  return problems;
}
