// Runs an ONNX model exported by `qbench export --onnx` in onnxruntime (an independent
// runtime) over the inputs `qbench export --dump-inputs` wrote, and compares its logits with
// the ones `qbench eval --dump-logits` wrote for the same samples: top-1 agreement, the
// largest logit difference, and which disagreements are ties (qbench's two largest logits
// closer than that difference, so float rounding alone may swap them).
// usage: node onnx-check.mjs ORT_DIR NAME MODEL.onnx INPUTS.npy LOGITS.npy
import { createRequire } from 'module';
import { readFileSync } from 'fs';

const [ortDir, name, model, inputsPath, logitsPath] = process.argv.slice(2);
const ort = createRequire(ortDir + '/')('onnxruntime-node');

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

const x = readNpy(inputsPath), want = readNpy(logitsPath);
const [n, k] = want.shape;
if (x.shape[0] !== n) throw new Error(`${inputsPath}: ${x.shape[0]} samples, ${logitsPath} has ${n}`);
const session = await ort.InferenceSession.create(model);
const out = await session.run({ input: new ort.Tensor('float32', x.data, x.shape) });
const got = out.logits.data;
let agree = 0, maxDiff = 0;
for (let i = 0; i < n * k; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want.data[i]));
const differ = [];
for (let i = 0; i < n; i++) {
  const a = argmax(got, i * k, k), b = argmax(want.data, i * k, k);
  if (a === b) { agree++; continue; }
  const row = Array.from(want.data.slice(i * k, i * k + k)).sort((p, q) => q - p);
  differ.push({ sample: i, onnx: a, qbench: b, gap: row[0] - row[1] });
}
const ties = differ.filter(d => d.gap <= 2 * maxDiff).length;
console.log(`${name}: ${n} samples, top-1 agreement ${agree}/${n} (${(100 * agree / n).toFixed(2)}%), ` +
            `max |logit difference| ${maxDiff.toExponential(2)}, disagreements ${differ.length} ` +
            `(${ties} within twice that difference of a tie)`);
for (const d of differ.slice(0, 5))
  console.log(`  sample ${d.sample}: onnxruntime class ${d.onnx}, qbench class ${d.qbench}, ` +
              `qbench's top-2 gap ${d.gap.toExponential(2)}`);
process.exitCode = differ.length > ties ? 1 : 0;
