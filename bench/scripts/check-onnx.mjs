// `make check-onnx`: qbench's exported models run by an independent runtime. For every scheme
// below and two networks (small_cnn; ResNet-20 with option-A shortcuts: Slice, Pad, Add) it
// trains a tiny cell (an epoch of 256 synthetic 1x16x16 gratings at width 0.25: seconds), exports it (`qbench export --onnx --dump-inputs`), runs the model in
// onnxruntime over the cell's whole test split, and compares with `qbench eval --dump-logits`:
// top-1 agreement, the largest logit difference, the samples that differ beyond float
// rounding, and which top-1 disagreements are ties. Each model runs twice: with onnxruntime's
// graph optimisations off (the graph as written: the check of the export) and at their
// default level (what a user gets). A scheme the exporter refuses prints its error.
// usage: node check-onnx.mjs QBENCH ORT_DIR WORK_DIR
import { createRequire } from 'module';
import { execFileSync } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';

const [qbench, ortDir, work] = process.argv.slice(2);
const ort = createRequire(ortDir + '/')('onnxruntime-node');
const SCHEMES = ['fp', 'lsq', 'uniform', 'lsq+pot', 'lsq+post', 'apot', 'pot', 'asq', 'pact'];
const NETS = ['small_cnn', 'resnet20'];
const EXPERIMENT = `name: checkonnx
title: ONNX check cells
table: {layout: bits, metric: final}
matrix: {nets: [${NETS.join(', ')}], schemes: [${SCHEMES.join(', ')}], bits: [4]}
train: {data: synth, input: 1x16x16, width: 0.25, shortcut: a, epochs: 1, train_subset: 256,
        batch: 16, lr: 0.05, crop_pad: 0}
`;

// A little-endian float32 .npy: its shape and data.
function readNpy(path) {
  const b = readFileSync(path);
  const headerLen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(`${path}: expected float32 (<f4), header ${header}`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const start = 10 + headerLen;
  const data = new Float32Array(b.buffer.slice(b.byteOffset + start, b.byteOffset + b.length));
  return { shape, data };
}

function argmax(a, off, k) {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j;
  return best;
}

// The comparison of one model's logits with qbench's, as one line (and up to five samples).
async function compare(name, model, x, want, level) {
  const [n, k] = want.shape;
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: level });
  const out = await session.run({ input: new ort.Tensor('float32', x.data, x.shape) });
  const got = out.logits.data;
  // A sample "moves" when a logit differs by more than float rounding could (1e-4 relative
  // to the logits' size): some quantized activation took the neighbouring code.
  let agree = 0, maxDiff = 0, moved = 0;
  for (let i = 0; i < n; i++) {
    let row = 0, size = 0;
    for (let j = i * k; j < (i + 1) * k; j++) {
      row = Math.max(row, Math.abs(got[j] - want.data[j]));
      size = Math.max(size, Math.abs(want.data[j]));
    }
    maxDiff = Math.max(maxDiff, row);
    if (row > 1e-4 * Math.max(1, size)) moved++;
  }
  const differ = [];
  for (let i = 0; i < n; i++) {
    const a = argmax(got, i * k, k), b = argmax(want.data, i * k, k);
    if (a === b) { agree++; continue; }
    const row = Array.from(want.data.slice(i * k, i * k + k)).sort((p, q) => q - p);
    differ.push({ sample: i, onnx: a, qbench: b, gap: row[0] - row[1] });
  }
  const ties = differ.filter(d => d.gap <= 2 * maxDiff).length;
  console.log(`${name} [optimisations ${level}]: ${n} samples, top-1 agreement ${agree}/${n} ` +
              `(${(100 * agree / n).toFixed(2)}%), max |logit difference| ${maxDiff.toExponential(2)}, ` +
              `samples beyond float rounding ${moved}, top-1 disagreements ${differ.length} ` +
              `(${ties} within twice that difference of a tie)`);
  for (const d of differ.slice(0, 5))
    console.log(`  sample ${d.sample}: onnxruntime class ${d.onnx}, qbench class ${d.qbench}, ` +
                `qbench's top-2 gap ${d.gap.toExponential(2)}`);
  return differ.length === ties;
}

function run(args) {
  try {
    return { ok: true, out: execFileSync(qbench, args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e) {
    return { ok: false, out: (e.stderr || '') + (e.stdout || '') };
  }
}

mkdirSync(work, { recursive: true });
const exp = `${work}/checkonnx.yaml`;
writeFileSync(exp, EXPERIMENT);
const ids = run(['expand', exp]).out.trim().split('\n');
let ok = true;
for (const [net, scheme] of NETS.flatMap(n => SCHEMES.map(s => [n, s]))) {
  const id = ids.find(i => i.startsWith(`${net}_${scheme}_`)), name = `${net} ${scheme}`;
  const ckpt = `${work}/results/checkonnx/${id}.ckpt`, base = `${work}/${id}`;
  let r = run(['run-cell', exp, '--cell', id, '--results', `${work}/results`]);
  if (!r.ok) { console.log(`${name}: training failed: ${r.out}`); ok = false; continue; }
  r = run(['export', '--onnx', '--checkpoint', ckpt, '--out', `${base}.onnx`,
           '--dump-inputs', `${base}.in.npy`]);
  if (!r.ok) { console.log(`${name}: not exported: ${r.out.trim()}`); continue; }
  for (const line of r.out.split('\n').filter(l => l.startsWith('note: ')))
    console.log(`${name}: ${line}`);
  r = run(['eval', '--checkpoint', ckpt, '--dump-logits', `${base}.logits.npy`]);
  if (!r.ok) { console.log(`${name}: eval failed: ${r.out}`); ok = false; continue; }
  const x = readNpy(`${base}.in.npy`), want = readNpy(`${base}.logits.npy`);
  ok = (await compare(name, `${base}.onnx`, x, want, 'disabled')) && ok;
  await compare(name, `${base}.onnx`, x, want, 'all');
}
process.exitCode = ok ? 0 : 1;
