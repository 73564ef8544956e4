import type { PGlite } from '@electric-sql/pglite';

/**
 * The public schema of a migrated database as SQL text, read from the catalogs. Every list
 * is ordered by name (functions by name and signature), and nothing that varies between two
 * fresh databases (OIDs, versions, timestamps) is printed, so the text changes exactly when
 * a migration changes the schema.
 */
export async function describeSchema(db: PGlite): Promise<string> {
  const rows = async <T>(query: string): Promise<T[]> => (await db.query<T>(query)).rows;
  const out: string[] = [];
  const section = (title: string) => out.push('', `-- ${title}`, '');

  // Objects an extension owns are its own business, not the schema's.
  const notFromExtension = (classOid: string, oid: string) =>
    `not exists (select 1 from pg_depend d where d.classid = '${classOid}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;

  section('Extensions');
  for (const e of await rows<{ extname: string }>(`select extname from pg_extension where extname <> 'plpgsql' order by extname`)) {
    out.push(`create extension if not exists ${e.extname};`);
  }

  section('Text search');
  for (const d of await rows<{ name: string; template: string; options: string | null }>(`
      select d.dictname as name, t.tmplname as template, d.dictinitoption as options
      from pg_ts_dict d join pg_ts_template t on t.oid = d.dicttemplate join pg_namespace n on n.oid = d.dictnamespace
      where n.nspname = 'public' order by d.dictname`)) {
    out.push(`create text search dictionary ${d.name} (template = ${d.template}${d.options ? `, ${d.options}` : ''});`);
  }
  for (const c of await rows<{ cfg: string; oid: string; parser: string }>(`
      select c.cfgname as cfg, c.oid::text as oid, p.prsname as parser
      from pg_ts_config c join pg_ts_parser p on p.oid = c.cfgparser join pg_namespace n on n.oid = c.cfgnamespace
      where n.nspname = 'public' order by c.cfgname`)) {
    out.push(`create text search configuration ${c.cfg} (parser = ${c.parser});`);
    const mappings = await rows<{ token: string; dictionaries: string }>(`
        select t.alias as token, string_agg(d.dictname, ', ' order by m.mapseqno) as dictionaries
        from pg_ts_config_map m
        join pg_ts_config c on c.oid = m.mapcfg
        cross join lateral ts_token_type(c.cfgparser) t
        join pg_ts_dict d on d.oid = m.mapdict
        where m.mapcfg = ${c.oid} and t.tokid = m.maptokentype group by t.alias order by t.alias`);
    for (const m of mappings) out.push(`alter text search configuration ${c.cfg} add mapping for ${m.token} with ${m.dictionaries};`);
  }

  section('Tables');
  const tables = await rows<{ oid: string; name: string; options: string[] | null }>(`
      select c.oid::text as oid, c.relname as name, c.reloptions as options
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and ${notFromExtension('pg_class', 'c.oid')}
      order by c.relname`);
  for (const t of tables) {
    const columns = await rows<{ name: string; type: string; notnull: boolean; def: string | null; identity: string; generated: string }>(`
        select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
               pg_get_expr(ad.adbin, ad.adrelid) as def, a.attidentity as identity, a.attgenerated as generated
        from pg_attribute a left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
        where a.attrelid = ${t.oid} and a.attnum > 0 and not a.attisdropped order by a.attnum`);
    // Not-null constraints (PostgreSQL 18 lists them too) are on their columns already.
    const constraints = await rows<{ name: string; def: string }>(`
        select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
        where conrelid = ${t.oid} and contype <> 'n' order by contype, conname`);
    const lines = columns.map((c) => {
      let line = `  ${c.name} ${c.type}`;
      if (c.identity) line += ` generated ${c.identity === 'a' ? 'always' : 'by default'} as identity`;
      if (c.generated === 's') line += ` generated always as (${c.def}) stored`;
      else if (c.def !== null) line += ` default ${c.def}`;
      if (c.notnull) line += ' not null';
      return line;
    });
    for (const k of constraints) lines.push(`  constraint ${k.name} ${k.def}`);
    out.push(`create table ${t.name} (`, lines.join(',\n'), `)${t.options ? ` with (${t.options.join(', ')})` : ''};`, '');
  }

  section('Indexes (the HNSW index is built by the first ingest, not by a migration)');
  for (const i of await rows<{ def: string }>(`
      select pg_get_indexdef(i.indexrelid) as def from pg_index i
      join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and ${notFromExtension('pg_class', 'i.indrelid')} order by c.relname`)) {
    out.push(`${i.def};`);
  }

  section('Views');
  for (const v of await rows<{ name: string; def: string }>(`
      select c.relname as name, pg_get_viewdef(c.oid, true) as def from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('v', 'm') and ${notFromExtension('pg_class', 'c.oid')} order by c.relname`)) {
    out.push(`create view ${v.name} as`, `${v.def.trimEnd()}`, '');
  }

  section('Functions');
  for (const f of await rows<{ def: string }>(`
      select pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prokind in ('f', 'p') and ${notFromExtension('pg_proc', 'p.oid')}
      order by p.proname, pg_get_function_identity_arguments(p.oid)`)) {
    out.push(`${f.def.trimEnd()};`, '');
  }

  section('Triggers');
  for (const t of await rows<{ def: string }>(`
      select pg_get_triggerdef(t.oid) as def from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and not t.tgisinternal order by c.relname, t.tgname`)) {
    out.push(`${t.def};`);
  }

  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
