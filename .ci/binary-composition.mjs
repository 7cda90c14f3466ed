// Where a release binary's bytes go, by section and by crate, next to a baseline binary (a
// documented script, not a test; not run by CI). The "cargo bloat or equivalent" of issue 18,
// read from the symbols the release profile keeps (`nm -S -C`, `size -A`), so it needs no
// second build.
//
//   node .ci/binary-composition.mjs target/release/resetdesk target/reference/release/feas-app
//
// A function's bytes go to the first crate its demangled name names that is not the standard
// library: `core::ptr::drop_in_place<tokio::sync::…>` counts for tokio, `<resetdesk_core::X as
// serde::Serialize>::serialize` for resetdesk_core. Symbols without a Rust path are C or
// assembly (SQLite/SQLCipher, ring's primitives): they are counted together. Inlined code
// counts where it was inlined, as in any such breakdown.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";

const [app, baseline] = process.argv.slice(2);
if (!app || !baseline) {
  console.error("usage: node .ci/binary-composition.mjs <binary> <baseline binary>");
  process.exit(2);
}

const STD = new Set(["core", "alloc", "std", "hashbrown", "proc_macro", "compiler_builtins", "panic_unwind", "std_detect", "rustc_demangle", "addr2line", "gimli", "miniz_oxide", "object"]);
const STD_BUCKET = "standard library (not generic over another crate)";
const C_BUCKET = "C and assembly (SQLite/SQLCipher, ring, …)";

function crateOf(name) {
  const crates = [...name.matchAll(/(?:^|[<&\s(,*])(?:dyn |mut |const )?([a-z_][a-z0-9_]*)::/g)].map((m) => m[1]);
  if (crates.length === 0) return C_BUCKET;
  return crates.find((c) => !STD.has(c)) ?? STD_BUCKET;
}

function byCrate(binary) {
  const out = execFileSync("nm", ["-S", "--size-sort", "-C", binary], { maxBuffer: 1 << 28 }).toString();
  const sizes = new Map();
  let total = 0;
  for (const line of out.split("\n")) {
    // address size type name; only code (t/T/w/W) is attributed.
    const m = line.match(/^[0-9a-f]+ ([0-9a-f]+) ([tTwW]) (.*)$/);
    if (!m) continue;
    const size = parseInt(m[1], 16);
    const crate = crateOf(m[3]);
    sizes.set(crate, (sizes.get(crate) ?? 0) + size);
    total += size;
  }
  return { sizes, total };
}

function sections(binary) {
  // readelf lists every section, the symbol tables too (size -A leaves those out).
  const out = execFileSync("readelf", ["-S", "-W", binary]).toString();
  const sizes = new Map();
  for (const line of out.split("\n")) {
    const m = line.match(/\]\s+(\.\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s/);
    if (m) sizes.set(m[1], parseInt(m[2], 16));
  }
  return sizes;
}

const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : "—");

const fileA = statSync(app).size;
const fileB = statSync(baseline).size;
console.log(`${app}: ${mib(fileA)}; ${baseline}: ${mib(fileB)}; ratio ${ratio(fileA, fileB)}\n`);

const secA = sections(app);
const secB = sections(baseline);
console.log("| section | binary | baseline | difference |");
console.log("|---|---|---|---|");
const names = [...new Set([...secA.keys(), ...secB.keys()])]
  .filter((s) => (secA.get(s) ?? 0) + (secB.get(s) ?? 0) > 100_000)
  .sort((x, y) => (secA.get(y) ?? 0) - (secA.get(x) ?? 0));
for (const s of names) {
  const a = secA.get(s) ?? 0;
  const b = secB.get(s) ?? 0;
  console.log(`| ${s} | ${mib(a)} | ${mib(b)} | ${mib(a - b)} |`);
}
const symbols = (m) => (m.get(".symtab") ?? 0) + (m.get(".strtab") ?? 0);
console.log(`(.symtab and .strtab are the symbols kept for the crash report's backtrace: ${mib(symbols(secA))} and ${mib(symbols(secB))})\n`);

const codeA = byCrate(app);
const codeB = byCrate(baseline);
console.log(`Code by crate (functions with a size in the symbol table: ${mib(codeA.total)} and ${mib(codeB.total)}), the 30 that add most:\n`);
console.log("| crate | binary | baseline | difference |");
console.log("|---|---|---|---|");
const crates = [...new Set([...codeA.sizes.keys(), ...codeB.sizes.keys()])]
  .map((c) => ({ c, a: codeA.sizes.get(c) ?? 0, b: codeB.sizes.get(c) ?? 0 }))
  .sort((x, y) => y.a - y.b - (x.a - x.b));
let shown = 0;
for (const { c, a, b } of crates.slice(0, 30)) {
  console.log(`| ${c} | ${mib(a)} | ${mib(b)} | ${mib(a - b)} |`);
  shown += a - b;
}
console.log(`\nThose 30 make ${mib(shown)} of the ${mib(codeA.total - codeB.total)} of code the binary has over its baseline.`);
const ours = crates.filter(({ c }) => c.startsWith("resetdesk")).reduce((sum, { a }) => sum + a, 0);
console.log(`ResetDesk's own crates (resetdesk*): ${mib(ours)} of code.`);
