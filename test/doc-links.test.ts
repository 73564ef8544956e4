import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(relative);
    return entry.name.endsWith('.md') ? [relative] : [];
  });
}

/** The text outside fenced code blocks and inline code, where a link is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

const files = ['README.md', ...markdownFiles('docs')];

test('every relative link and anchor in README.md and docs/ resolves', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const [, target] of prose(text).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // http:, https:, mailto:
      checked++;
      const [filePart, anchor] = target!.split('#', 2) as [string, string | undefined];
      const resolved = filePart === '' ? path.join(ROOT, file) : path.join(ROOT, path.dirname(file), decodeURIComponent(filePart));
      if (!fs.existsSync(resolved)) {
        broken.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && anchor !== '') {
        if (!resolved.endsWith('.md')) {
          broken.push(`${file}: ${target} (an anchor into a file that is not Markdown)`);
        } else if (!headingSlugs(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${file}: ${target} (no heading #${anchor} in ${path.relative(ROOT, resolved)})`);
        }
      }
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked > 50, `only ${checked} relative links found: is the link pattern still right?`);
});

test('the README is a short guide: at most 300 lines', () => {
  const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length - 1;
  assert.ok(lines <= 300, `README.md has ${lines} lines; longer guides go in docs/`);
});

test('headings give the anchors GitHub gives them', () => {
  assert.deepEqual(
    [...headingSlugs('# At scale: `npm run bench:scale`\n## For SQL analysts\n```\n# not a heading\n```\n## For SQL analysts\n### Paging from a front end')],
    ['at-scale-npm-run-benchscale', 'for-sql-analysts', 'for-sql-analysts-1', 'paging-from-a-front-end'],
  );
});
