/**
 * The client's XSS rule, checked on the source's syntax tree (comments do not count, aliases
 * like el['innerHTML'] do): user data is rendered with textContent only. No HTML-parsing sink,
 * no code-from-string, no inline style, no event-handler attributes, no token in storage; and
 * the page itself has no inline script or style (the CSP would refuse them anyway).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { findSinks } from '../../scripts/build-web.js';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const FORBIDDEN_PROPERTIES = new Set(['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'createContextualFragment', 'srcdoc', 'setHTMLUnsafe', 'parseHTMLUnsafe', 'cssText', 'write', 'writeln']);
const FORBIDDEN_GLOBALS = new Set(['eval', 'Function', 'DOMParser']);

/** Every use of a forbidden sink in one source text, as "line: what". */
function findViolations(name: string, text: string): Array<{ line: number; what: string }> {
  const sf = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Array<{ line: number; what: string }> = [];
  const at = (node: ts.Node, what: string): void => {
    found.push({ line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, what });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && FORBIDDEN_PROPERTIES.has(node.name.text)) at(node, `.${node.name.text}`);
    if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && FORBIDDEN_PROPERTIES.has(node.argumentExpression.text)) {
      at(node, `['${node.argumentExpression.text}']`);
    }
    if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text) && !ts.isPropertyAccessExpression(node.parent)) at(node, node.text);
    // el.style = '…' / el.setAttribute('style' | 'onclick' …, …): inline style and handlers.
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && node.left.name.text === 'style') {
      at(node, 'assignment to .style');
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'setAttribute') {
      const [attr] = node.arguments;
      if (attr && ts.isStringLiteralLike(attr) && /^(style|on)/i.test(attr.text)) at(node, `setAttribute('${attr.text}')`);
    }
    // setTimeout/setInterval with a string runs code from a string.
    if (ts.isCallExpression(node) && /^(window\.)?(setTimeout|setInterval)$/.test(node.expression.getText(sf))) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) at(node, 'timer with a string');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function violations(file: string): string[] {
  return findViolations(file, readFileSync(file, 'utf8')).map((v) => `${file.slice(WEB.length)}:${v.line}: ${v.what}`);
}

describe('web client source rules', () => {
  const files = sourceFiles(join(WEB, 'src'));

  it('has sources to check', () => {
    assert.ok(files.length >= 10, files.join('\n'));
  });

  it('uses no HTML or code-from-string sink, inline style or event-handler attribute', () => {
    assert.deepEqual(files.flatMap(violations), []);
  });

  it('the checker itself catches each kind of sink', () => {
    const sample = [
      'el.innerHTML = x;',
      "el['outerHTML'] = x;",
      "el.insertAdjacentHTML('beforeend', x);",
      'document.write(x);',
      'eval(x);',
      'new Function(x);',
      "el.style = 'color: red';",
      "el.setAttribute('onclick', x);",
      "setTimeout('alert(1)', 1);",
      'new DOMParser().parseFromString(x, "text/html");',
    ];
    const lines = new Set(findViolations('sample.ts', sample.join('\n')).map((v) => v.line));
    assert.deepEqual([...lines].sort((a, b) => a - b), sample.map((_, i) => i + 1));
    assert.deepEqual(findViolations('ok.ts', 'el.textContent = x; el.style.setProperty("--x", "1"); // innerHTML in a comment'), []);
  });

  it('never puts a session token in web storage or the URL', () => {
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /(localStorage|sessionStorage)\.setItem\([^)]*token/i, file);
      assert.doesNotMatch(text, /[?&#]token=/i, file);
    }
  });

  it('builds the WebSocket endpoint from location only, never from the URL query or hash', () => {
    const conn = readFileSync(join(WEB, 'src', 'connection.ts'), 'utf8');
    assert.match(conn, /new WebSocket\(`\$\{scheme\}:\/\/\$\{location\.host\}\/ws`/);
    for (const file of files) assert.doesNotMatch(readFileSync(file, 'utf8'), /location\.(search|hash)|URLSearchParams/, file);
  });

  it('index.html has no inline script or style', () => {
    const html = readFileSync(join(WEB, 'index.html'), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i);
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son\w+=/i);
  });

  it('the bundle check refuses sinks whatever their source', () => {
    assert.deepEqual(findSinks('a.textContent=b'), []);
    assert.deepEqual(findSinks('a.innerHTML=b;document.write(c);x=eval(d)'), ['innerHTML', 'document.write', 'eval']);
  });
});
