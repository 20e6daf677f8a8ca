#!/usr/bin/env node
// Independent check of the tfjs fixtures (no tfjs involved): reads every tfjs_*.json(.gz) in DIR, interprets
// each case's `args` the way tf.nn does (tf-semantics.md §1-§4), recomputes it with a naive float64 loop and
// compares. Also checks the file format, unique ids, float32 representability, tags, NCHW derivations and
// the well-known depthwise value, and prints a coverage report.
//
//   node selfcheck.mjs ../fixtures        exits non-zero on any failure

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const EPS32 = 2 ** -23;
const failures = [];
const fail = (id, msg) => { failures.push(`${id}: ${msg}`); };

// ---- tf.nn argument interpretation ---------------------------------------------------------------------

function getSequence(value, channelIndex, name) {   // nn_ops._get_sequence for n = 2
  if (value === undefined || value === null) return [1, 1, 1, 1];
  if (typeof value === 'number') value = [value];
  if (value.length === 1) value = [value[0], value[0]];
  if (value.length === 2) return channelIndex === 3 ? [1, value[0], value[1], 1] : [1, 1, value[0], value[1]];
  if (value.length === 4) return value;
  throw new Error(`${name} should be of length 1, 2 or 4`);
}

function interpret(c) {
  const a = c.args;
  for (const k of Object.keys(a)) if (!['strides', 'padding', 'data_format', 'dilations'].includes(k)) throw new Error(`unknown arg ${k}`);
  const fmt = a.data_format ?? 'NHWC';
  if (fmt !== 'NHWC' && fmt !== 'NCHW') throw new Error(`bad data_format ${fmt}`);
  const [hi, wi, ni, ci] = fmt === 'NHWC' ? [1, 2, 0, 3] : [2, 3, 0, 1];
  let s4, rates;
  if (c.op === 'conv2d') {
    const ch = fmt.startsWith('NC') ? 1 : 3;
    s4 = getSequence(a.strides, ch, 'strides');
    const d4 = getSequence(a.dilations, ch, 'dilations');
    if (d4[ni] !== 1 || d4[ci] !== 1) throw new Error('dilations in batch/depth');
    rates = [d4[hi], d4[wi]];
  } else if (c.op === 'depthwise_conv2d') {
    if (!Array.isArray(a.strides)) throw new Error('depthwise strides must be a list');
    s4 = a.strides;
    if (s4[hi] !== s4[wi]) throw new Error('depthwise strides must be equal in H and W');
    const d = a.dilations ?? [1, 1];
    if (!Array.isArray(d) || d.length !== 2) throw new Error('depthwise dilations must be a 2-list');
    rates = d;
  } else throw new Error(`unknown op ${c.op}`);
  if (s4.length !== 4 || s4[ni] !== 1 || s4[ci] !== 1) throw new Error('strides in batch/depth');
  let pads = null, kind = a.padding;
  if (Array.isArray(a.padding)) {
    if (a.padding.length !== 4 || a.padding.some((p) => !Array.isArray(p) || p.length !== 2)) throw new Error('bad explicit padding');
    if (a.padding[ni].some((v) => v !== 0) || a.padding[ci].some((v) => v !== 0)) throw new Error('non-zero batch/depth padding');
    if (a.padding.flat().some((v) => v < 0)) throw new Error('negative padding');
    pads = [...a.padding[hi], ...a.padding[wi]];
    kind = 'EXPLICIT';
  } else if (kind !== 'SAME' && kind !== 'VALID') throw new Error(`bad padding ${kind}`);
  return { fmt, strides: [s4[hi], s4[wi]], rates, kind, pads };
}

function outSize(n, k, s, r, kind, before, after) {   // GetWindowedOutputSizeVerbose; returns [out, padBefore]
  const eff = (k - 1) * r + 1;
  let out, pb = 0;
  if (kind === 'VALID') out = Math.trunc((n - eff + s) / s);
  else if (kind === 'EXPLICIT') { out = Math.trunc((n + before + after - eff + s) / s); pb = before; }
  else { out = Math.trunc((n + s - 1) / s); pb = Math.floor(Math.max(0, (out - 1) * s + eff - n) / 2); }
  return [out + 0, pb];
}

const toNhwc = (v, [B, C, H, W]) => { const o = new Array(v.length);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++)
    o[((b * H + h) * W + w) * C + c] = v[((b * C + c) * H + h) * W + w]; return o; };
const toNchw = (v, [B, H, W, C]) => { const o = new Array(v.length);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++)
    o[((b * C + c) * H + h) * W + w] = v[((b * H + h) * W + w) * C + c]; return o; };

// Naive float64 reference. Returns { shape (data_format order), values, absSums } or { error }.
export function reference(c) {
  const p = interpret(c);
  let xShape = c.input.shape, x = c.input.values;
  if (p.fmt === 'NCHW') { x = toNhwc(x, xShape); const [B, C, H, W] = xShape; xShape = [B, H, W, C]; }
  const [B, H, W, C] = xShape;
  const [KH, KW, FC, M] = c.filter.shape;
  const f = c.filter.values;
  const dw = c.op === 'depthwise_conv2d';
  if (FC !== C) throw new Error('filter in-channels != input channels');
  const O = dw ? C * M : M;
  const [oh, pt] = outSize(H, KH, p.strides[0], p.rates[0], p.kind, p.pads?.[0], p.pads?.[1]);
  const [ow, pl] = outSize(W, KW, p.strides[1], p.rates[1], p.kind, p.pads?.[2], p.pads?.[3]);
  if (oh < 0 || ow < 0) return { error: 'Computed output size would be negative' };
  const n = B * oh * ow * O;
  const y = new Array(n).fill(0), abs = new Array(n).fill(0);
  for (let b = 0; b < B; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < O; o++) {
    let sum = 0, sa = 0;
    for (let kh = 0; kh < KH; kh++) {
      const ih = i * p.strides[0] - pt + kh * p.rates[0];
      if (ih < 0 || ih >= H) continue;
      for (let kw = 0; kw < KW; kw++) {
        const iw = j * p.strides[1] - pl + kw * p.rates[1];
        if (iw < 0 || iw >= W) continue;
        if (dw) {
          const cc = Math.floor(o / M), m = o % M;
          const t = x[((b * H + ih) * W + iw) * C + cc] * f[((kh * KW + kw) * C + cc) * M + m];
          sum += t; sa += Math.abs(t);
        } else {
          for (let cc = 0; cc < C; cc++) {
            const t = x[((b * H + ih) * W + iw) * C + cc] * f[((kh * KW + kw) * C + cc) * O + o];
            sum += t; sa += Math.abs(t);
          }
        }
      }
    }
    const idx = ((b * oh + i) * ow + j) * O + o;
    y[idx] = sum; abs[idx] = sa;
  }
  if (p.fmt === 'NCHW') return { shape: [B, O, oh, ow], values: toNchw(y, [B, oh, ow, O]), absSums: toNchw(abs, [B, oh, ow, O]) };
  return { shape: [B, oh, ow, O], values: y, absSums: abs };
}

// ---- checks ----------------------------------------------------------------------------------------------

function knownValue() {
  const c = { op: 'depthwise_conv2d', args: { strides: [1, 1, 1, 1], padding: 'VALID' },
    input: { shape: [1, 3, 3, 1], values: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, filter: { shape: [2, 1, 1, 2], values: [1, 2, 3, 4] } };
  const r = reference(c);
  const want = [13, 18, 17, 24, 21, 30, 25, 36, 29, 42, 33, 48];
  if (JSON.stringify(r.shape) !== '[1,2,3,2]' || JSON.stringify(r.values) !== JSON.stringify(want)) fail('known-value', JSON.stringify(r));
  else console.log('known value: depthwise 1..9 [1,3,3,1] * [1,2,3,4] [2,1,1,2] VALID -> [[[[13,18],[17,24],[21,30]],[[25,36],[29,42],[33,48]]]] ok');
}

const PROV_RE = /^tfjs-core 4\.22\.0 \+ tfjs-backend-cpu 4\.22\.0, conformance\/generator v1, seed (\d+)$/;

function checkCase(c, all, stats) {
  const id = c.id;
  for (const k of ['id', 'op', 'args', 'dtype', 'input', 'filter', 'tolerance', 'provenance', 'tags'])
    if (!(k in c)) return fail(id, `missing ${k}`);
  if (('expected' in c) === ('expected_error' in c)) return fail(id, 'needs exactly one of expected / expected_error');
  if (c.dtype !== 'float32') fail(id, 'dtype');
  if (!PROV_RE.test(c.provenance) && !c.provenance.startsWith('derived: ')) fail(id, `provenance ${c.provenance}`);
  const tensors = [c.input, c.filter, ...(c.expected ? [c.expected] : [])];
  for (const t of tensors) {
    if (t.values.length !== t.shape.reduce((a, b) => a * b, 1)) fail(id, 'values/shape length mismatch');
    for (const v of t.values) if (typeof v !== 'number' || Math.fround(v) !== v) { fail(id, `not a float32 value ${v}`); break; }
  }
  if (c.tolerance === 'exact') {
    for (const t of tensors) if (t.values.some((v) => !Number.isInteger(v) || Math.abs(v) > 2 ** 24)) fail(id, 'exact case with non-integer value');
  } else if (c.tolerance !== 'summation') fail(id, `tolerance ${c.tolerance}`);
  let r;
  try { r = reference(c); } catch (e) { return fail(id, `args not valid for tf.nn: ${e.message}`); }
  if (r.error) {
    if (!c.expected_error) return fail(id, `reference says error (${r.error}) but case has expected values`);
    if (!r.error.includes(c.expected_error.message)) fail(id, `error message ${c.expected_error.message}`);
    stats.errors++;
    return;
  }
  if (!c.expected) return fail(id, `case expects an error but the reference gives shape [${r.shape}]`);
  if (JSON.stringify(r.shape) !== JSON.stringify(c.expected.shape)) return fail(id, `shape [${c.expected.shape}] vs reference [${r.shape}]`);
  const zero = r.values.length === 0;
  if (zero !== c.tags.includes('zero-size')) fail(id, 'zero-size tag');
  for (let i = 0; i < r.values.length; i++) {
    const want = c.expected.values[i], ref = r.values[i];
    const diff = Math.abs(want - ref);
    if (c.tolerance === 'exact') {
      if (want !== ref) { fail(id, `exact value ${i}: ${want} vs ${ref}`); break; }
    } else {
      const bound = EPS32 * r.absSums[i];
      const ratio = bound > 0 ? diff / bound : (diff === 0 ? 0 : Infinity);
      if (ratio > stats.maxRatio) { stats.maxRatio = ratio; stats.maxRatioId = `${id} [${i}]`; }
      if (r.absSums[i] > 0) stats.maxAbsRel = Math.max(stats.maxAbsRel, diff / r.absSums[i]);
      if (Math.abs(ref) >= 0.1 * r.absSums[i] && ref !== 0) {   // well-conditioned: little cancellation
        const rel = diff / Math.abs(ref);
        if (rel > stats.maxRel) { stats.maxRel = rel; stats.maxRelId = `${id} [${i}]`; }
      }
      if (ratio > 64) { fail(id, `value ${i}: ${want} vs reference ${ref} (${ratio.toFixed(2)} eps*sum|xw|)`); break; }
    }
    stats.values++;
  }
  // NCHW derived from an NHWC twin: must be its exact transposition
  const m = /^derived: NCHW = .* from (\S+)$/.exec(c.provenance);
  if (m) {
    const src = all.get(m[1]);
    if (!src) fail(id, `derived from unknown id ${m[1]}`);
    else if (src.expected) {
      const t = toNchw(src.expected.values, src.expected.shape);
      if (JSON.stringify(t) !== JSON.stringify(c.expected.values)) fail(id, 'not the transposition of its source');
    }
  }
}

function load(dir) {
  const files = fs.readdirSync(dir).filter((n) => /^tfjs_.*\.json(\.gz)?$/.test(n)).sort();
  const out = [];
  for (const name of files) {
    let buf = fs.readFileSync(path.join(dir, name));
    if (name.endsWith('.gz')) buf = zlib.gunzipSync(buf);
    const doc = JSON.parse(buf.toString('utf8'));
    if (doc.format !== 'depthwise-interop-conformance' || doc.format_version !== 1 || typeof doc.description !== 'string' || !Array.isArray(doc.cases))
      fail(name, 'bad file header');
    out.push({ name, bytes: fs.statSync(path.join(dir, name)).size, cases: doc.cases });
  }
  return out;
}

function main() {
  const dir = process.argv[2] || '../fixtures';
  const t0 = Date.now();
  knownValue();
  const files = load(dir);
  const all = new Map();
  for (const f of files) for (const c of f.cases) {
    if (all.has(c.id)) fail(c.id, `duplicate id (in ${f.name})`);
    all.set(c.id, c);
  }
  const stats = { values: 0, errors: 0, maxRatio: 0, maxRatioId: '', maxRel: 0, maxRelId: '', maxAbsRel: 0 };
  for (const c of all.values()) checkCase(c, all, stats);
  // coverage
  const tagCount = new Map(), perOp = new Map();
  let totalBytes = 0, maxCaseValues = 0, sumCaseValues = 0;
  for (const f of files) { totalBytes += f.bytes; console.log(`${f.name}: ${f.cases.length} cases, ${f.bytes} bytes`); }
  for (const c of all.values()) {
    const key = `${c.op} ${c.expected ? 'value' : 'error'}`;
    perOp.set(key, (perOp.get(key) || 0) + 1);
    for (const t of c.tags) { const k = `${c.op === 'conv2d' ? 'conv2d' : 'depthwise'}:${t}`; tagCount.set(k, (tagCount.get(k) || 0) + 1); }
    const nv = c.input.values.length + c.filter.values.length + (c.expected ? c.expected.values.length : 0);
    maxCaseValues = Math.max(maxCaseValues, nv); sumCaseValues += nv;
  }
  console.log(`total: ${all.size} cases in ${files.length} files, ${totalBytes} bytes; values per case: mean ${(sumCaseValues / all.size).toFixed(0)}, max ${maxCaseValues}`);
  for (const [k, v] of [...perOp].sort()) console.log(`  ${k}: ${v}`);
  const sizes = new Map();
  for (const c of all.values()) {
    const sh = c.input.shape, nchw = c.args.data_format === 'NCHW';
    for (const v of nchw ? [sh[2], sh[3]] : [sh[1], sh[2]]) sizes.set(v, (sizes.get(v) || 0) + 1);
  }
  console.log(`input H and W sizes (count of H plus W occurrences): ${[...sizes].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' ')}`);
  console.log('tag coverage (cases per op:tag):');
  const keys = [...tagCount.keys()].sort();
  console.log(keys.map((k) => `  ${k}=${tagCount.get(k)}`).join('\n'));
  console.log(`checked ${stats.values} expected values and ${stats.errors} error cases against a float64 reference`);
  console.log(`max |tfjs - float64| / (eps32 * sum|x*w|) = ${stats.maxRatio.toFixed(4)} at ${stats.maxRatioId}`);
  console.log(`max |tfjs - float64| / sum|x*w| = ${stats.maxAbsRel.toExponential(3)}`);
  console.log(`max relative error |tfjs - float64| / |float64| where |float64| >= 0.1 sum|x*w| = ${stats.maxRel.toExponential(3)} at ${stats.maxRelId}`);
  console.log(`selfcheck took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.error(`${failures.length} FAILURE(S):`);
    for (const f of failures.slice(0, 50)) console.error(`  ${f}`);
    process.exit(1);
  }
  console.log('selfcheck passed');
}

main();
