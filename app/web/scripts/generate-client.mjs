// Generates the TypeScript client (instruction builders, account decoders, error codes, PDAs
// where the IDL names them) for @solana/kit from the program's committed IDL, with codama.
// The IDL itself is built on the host by scripts/idl.sh.
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import { visit } from '@codama/visitors-core';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const idlPath = path.join(here, '../../../idl/ringfence.json');
const out = path.join(here, '../src/generated');

const idl = JSON.parse(readFileSync(idlPath, 'utf8'));
rmSync(out, { recursive: true, force: true });
const anchorRoot = rootNodeFromAnchor(idl);
// nodes-from-anchor 1.5 leaves `pdas` (and `additionalPrograms`) out when the IDL declares
// none, while renderers-js 2.2 expects the (empty) lists.
const withPdas = (program) => ({ ...program, pdas: program.pdas ?? [] });
const root = {
  ...anchorRoot,
  program: withPdas(anchorRoot.program),
  additionalPrograms: (anchorRoot.additionalPrograms ?? []).map(withPdas),
};
await visit(root, renderVisitor(out, { deleteFolderBeforeRendering: true }));
console.log(`generated ${path.relative(process.cwd(), out)} from ${path.relative(process.cwd(), idlPath)}`);
