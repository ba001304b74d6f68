import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** One import of a module: `from` and, for a relative import, `to` as paths from the repository root (".ts", not ".js"). */
export interface Import {
  from: string;
  /** The specifier as written, e.g. "../store/payment-store.js" or "knex". */
  specifier: string;
  /** The imported file, for a relative import; undefined for a package or a Node built-in. */
  to?: string;
}

/** Every .ts file under `dir` (from the repository root), tests included. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => join(dir, file))
    .sort();
}

/** The imports of one file: import and export declarations (type-only too), `import()` and `require()` calls. */
export function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    ) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) specifiers.push(argument.text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      specifiers.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.map((specifier) => ({
    from: file,
    specifier,
    ...(specifier.startsWith(".") && {
      to: relative(ROOT, normalize(join(ROOT, dirname(file), specifier))).replace(/\.js$/, ".ts"),
    }),
  }));
}
