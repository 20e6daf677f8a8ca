#!/usr/bin/env node
// TensorFlow.js conformance fixture generator, version v1.
//
// Writes conformance fixtures (conformance/FORMAT.md, format_version 1) for tf.nn.depthwise_conv2d and
// tf.nn.conv2d whose expected values are computed by @tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu
// (exact versions pinned in package.json / package-lock.json).
//
// Usage (run from conformance/generator after `npm ci`):
//   node generate.mjs --out ../fixtures          all shard files + the sample shard
//   node generate.mjs --sample --out DIR         only the sample shard (tfjs_sample.json)
//   node generate.mjs --check ../fixtures        regenerate the sample shard, compare byte for byte
//   node generate.mjs --check-all ../fixtures    regenerate every shard, compare byte for byte
//   node generate.mjs --case SEED                print the case(s) of one seed (debugging)
//
// Reproducibility: every configuration index i has its own seed (BASE_SEED + i) and its own mulberry32
// stream, so a case depends only on its seed, never on which other cases are generated. The sample shard
// holds the configurations with i % SAMPLE_EVERY == 0; those cases are in no other shard, so the
// committed files together hold each case exactly once. tfjs-backend-cpu accumulates every output element
// in a Float32Array in a fixed loop order, with IEEE arithmetic only, so its results are the same on every
// machine.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export const GENERATOR_VERSION = 'v1';
export const TFJS_CORE_VERSION = '4.22.0';
export const TFJS_CPU_VERSION = '4.22.0';
export const BASE_SEED = 1000;        // configuration i has seed BASE_SEED + i
export const NUM_CONFIGS = 1536;      // configurations; NCHW ones also produce their NHWC twin
export const SAMPLE_EVERY = 32;       // configurations with i % SAMPLE_EVERY == 0 form tfjs_sample.json
export const SAMPLE_FILE = 'tfjs_sample.json';
const MAX_SHARD_BYTES = 4_500_000;    // a shard larger than this is split round-robin into parts

const TFJS = `tfjs-core ${TFJS_CORE_VERSION} + tfjs-backend-cpu ${TFJS_CPU_VERSION}`;
export const provenanceFor = (seed) => `${TFJS}, conformance/generator ${GENERATOR_VERSION}, seed ${seed}`;

// ---------------------------------------------------------------------------------------------------------
// Deterministic PRNG

export function mulberry32(a) {
  return function next() {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(Math.imul(seed, 0x9E3779B1) ^ 0x2545F491); }
  float() { return this.next(); }
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); }   // inclusive
  bool(p) { return this.next() < p; }
  pick(arr) { return arr[Math.floor(this.next() * arr.length)]; }
  weighted(pairs) {                      // [[value, weight], ...]
    let total = 0; for (const [, w] of pairs) total += w;
    let r = this.next() * total;
    for (const [v, w] of pairs) { if (r < w) return v; r -= w; }
    return pairs[pairs.length - 1][0];
  }
}

// ---------------------------------------------------------------------------------------------------------
// The grid (sampled, not a cartesian product)

const KERNELS = [   // [kh, kw], weight
  [[1, 1], 3], [[2, 2], 3], [[3, 3], 4], [[4, 4], 3], [[5, 5], 3], [[7, 7], 3],
  [[2, 3], 1.5], [[3, 2], 1], [[1, 5], 1.5], [[5, 1], 1], [[1, 3], 1], [[3, 1], 1],
  [[2, 5], 1], [[4, 3], 1], [[3, 7], 1], [[7, 2], 1],
];
const SPATIAL = [   // input H or W, weight: mostly odd 1..17, some small even sizes for edge cases
  [1, 3], [3, 4], [5, 4], [7, 4], [9, 3], [11, 2], [13, 1.5], [15, 1.2], [17, 1.2],
  [2, 1], [4, 0.7], [6, 0.5], [8, 0.3],
];
const MAX_VALUES = 1100;   // input + filter + expected values of one case
const MAX_INPUT = 750;

// TF output size for one spatial dim (tf-semantics.md §3, C++ truncating division). null = negative
// ("Computed output size would be negative").
export function tfOutSize(inSize, k, stride, dil, padKind, before, after) {
  const eff = (k - 1) * dil + 1;
  let out;
  if (padKind === 'SAME') out = Math.trunc((inSize + stride - 1) / stride);
  else if (padKind === 'VALID') out = Math.trunc((inSize - eff + stride) / stride);
  else out = Math.trunc((inSize + before + after - eff + stride) / stride);
  return out < 0 ? null : out + 0;   // + 0 turns -0 into 0
}

function drawConfig(index) {
  const seed = BASE_SEED + index;
  const rng = new Rng(seed);
  const op = rng.bool(0.5) ? 'depthwise_conv2d' : 'conv2d';
  const nchw = rng.bool(0.3);
  const padKind = rng.weighted([['SAME', 35], ['VALID', 35], ['EXPLICIT', 30]]);
  const [kh, kw] = rng.weighted(KERNELS);
  // strides / dilations: tfjs rejects stride > 1 together with dilation > 1, so draw one "mode".
  let sh, sw, dh = 1, dw = 1;
  if (op === 'depthwise_conv2d') {
    sh = sw = rng.pick([1, 2, 3]);                       // tf.nn depthwise: equal H/W strides only
  } else if (rng.bool(0.3)) {                            // conv2d: asymmetric strides
    [sh, sw] = rng.pick([[1, 2], [2, 1], [1, 3], [3, 1], [2, 3], [3, 2]]);
  } else {
    sh = sw = rng.pick([1, 2, 3]);
  }
  if (sh === 1 && sw === 1) {
    if (rng.bool(0.25)) [dh, dw] = rng.pick([[1, 2], [2, 1], [1, 3], [3, 1], [2, 3], [3, 2]]);
    else dh = dw = rng.weighted([[1, 1], [2, 1.5], [3, 1.5]]);
  }
  const batch = rng.bool(0.35) ? 3 : 1;
  const cin = rng.weighted([[1, 3], [2, 3], [3, 3], [4, 2]]);
  const mult = rng.pick([1, 2, 3]);                      // depthwise channel multiplier
  const cout = rng.pick([1, 2, 3, 4, 5]);                // conv2d out channels
  const exact = rng.bool(0.3);
  // explicit pads: asymmetric, sometimes larger than the (effective) filter extent
  let pads = null;
  if (padKind === 'EXPLICIT') {
    const effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1;
    const side = (eff) => rng.weighted([[0, 3], [1, 3], [2, 2], [eff - 1, 1], [eff, 1], [eff + 1, 1], [eff + 2, 1]]);
    pads = [side(effH), side(effH), side(effW), side(effW)];   // top, bottom, left, right
  }
  // argument forms (tf.nn form; varied)
  const fmtForm = rng.weighted([['NHWC', 6], [null, 2], ['omit', 2]]);   // of the NHWC case (twin included)
  const strideForm = op === 'depthwise_conv2d' ? 'list4' : rng.weighted([['int', 2], ['list2', 3], ['list4', 5]]);
  const dilForm = op === 'depthwise_conv2d' ? rng.weighted([['list2', 6], ['null', 2], ['omit', 2]])
    : rng.weighted([['int', 2], ['list2', 3], ['list4', 3], ['null', 1], ['omit', 1]]);
  // spatial size: redraw until the case is small enough
  let H, W;
  const outCh = op === 'depthwise_conv2d' ? cin * mult : cout;
  const filterCount = kh * kw * cin * (op === 'depthwise_conv2d' ? mult : cout);
  for (let tries = 0; ; tries++) {
    H = rng.weighted(SPATIAL); W = rng.weighted(SPATIAL);
    const [pt, pb, pl, pr] = pads || [0, 0, 0, 0];
    const oh = tfOutSize(H, kh, sh, dh, padKind, pt, pb) ?? 0;
    const ow = tfOutSize(W, kw, sw, dw, padKind, pl, pr) ?? 0;
    const inCount = batch * H * W * cin;
    const total = inCount + filterCount + batch * oh * ow * outCh;
    if ((inCount <= MAX_INPUT && total <= MAX_VALUES) || tries > 200) break;
  }
  return { index, seed, rng, op, nchw, padKind, kh, kw, sh, sw, dh, dw, batch, cin, mult, cout, exact, pads,
    H, W, fmtForm, strideForm, dilForm };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

const f32 = Math.fround;

function randomValues(rng, n, exact) {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = exact ? rng.int(-4, 4) : f32(rng.float() * 2 - 1);
  return v;
}

// NHWC [B,H,W,C] flat -> NCHW [B,C,H,W] flat
function nhwcToNchw(v, [B, H, W, C]) {
  const out = new Float32Array(v.length);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++)
    out[((b * C + c) * H + h) * W + w] = v[((b * H + h) * W + w) * C + c];
  return out;
}
const nchwShape = ([B, H, W, C]) => [B, C, H, W];

function sameBits(a, b) {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

// { shape, values } from tfjs, or { shape: null, error } when tfjs throws.
function runTfjs(op, x, xShape, f, fShape, strides, pad, dataFormat, dilations) {
  try {
    return runTfjsOrThrow(op, x, xShape, f, fShape, strides, pad, dataFormat, dilations);
  } catch (e) {
    return { shape: null, values: null, error: `${e.name}: ${e.message}` };
  }
}

function runTfjsOrThrow(op, x, xShape, f, fShape, strides, pad, dataFormat, dilations) {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, xShape, 'float32');
    const ft = tf.tensor4d(f, fShape, 'float32');
    const y = op === 'depthwise_conv2d'
      ? tf.depthwiseConv2d(xt, ft, strides, pad, dataFormat, dilations)
      : tf.conv2d(xt, ft, strides, pad, dataFormat, dilations);
    return { shape: y.shape.map((d) => d + 0), values: y.shape.every((d) => d > 0) ? y.dataSync().slice() : new Float32Array(0) };
  });
}

function buildArgs(cfg, layout) {
  const { op, sh, sw, dh, dw, padKind, pads } = cfg;
  const args = {};
  // strides
  const s4 = layout === 'NCHW' ? [1, 1, sh, sw] : [1, sh, sw, 1];
  if (cfg.strideForm === 'int' && sh === sw) args.strides = sh;
  else if (cfg.strideForm === 'list4') args.strides = s4;
  else if (cfg.strideForm === 'int' || cfg.strideForm === 'list2') args.strides = [sh, sw];
  // padding
  if (padKind === 'EXPLICIT') {
    const [t, b, l, r] = pads;
    args.padding = layout === 'NCHW' ? [[0, 0], [0, 0], [t, b], [l, r]] : [[0, 0], [t, b], [l, r], [0, 0]];
  } else args.padding = padKind;
  // data_format
  const fmt = layout === 'NCHW' ? 'NCHW' : cfg.fmtForm;
  if (fmt !== 'omit') args.data_format = fmt;
  // dilations
  const one = dh === 1 && dw === 1;
  if (op === 'depthwise_conv2d') {
    if (!one || cfg.dilForm === 'list2') args.dilations = [dh, dw];
    else if (cfg.dilForm === 'null') args.dilations = null;
  } else {
    const form = (cfg.dilForm === 'null' || cfg.dilForm === 'omit') && !one ? 'list2' : cfg.dilForm;
    if (form === 'int' && dh === dw) args.dilations = dh;
    else if (form === 'list4') args.dilations = layout === 'NCHW' ? [1, 1, dh, dw] : [1, dh, dw, 1];
    else if (form === 'int' || form === 'list2') args.dilations = [dh, dw];
    else if (form === 'null') args.dilations = null;
  }
  return args;
}

function formOf(v) {
  if (v === undefined) return 'omitted';
  if (v === null) return 'null';
  if (typeof v === 'number') return 'int';
  return `list${v.length}`;
}

function caseId(cfg, layout, outCh) {
  const opName = cfg.op === 'depthwise_conv2d' ? 'depthwise' : 'conv2d';
  const pad = cfg.padKind === 'EXPLICIT' ? `EXPLICIT${cfg.pads.join('-')}` : cfg.padKind;
  const ch = cfg.op === 'depthwise_conv2d' ? `m${cfg.mult}` : `o${outCh}`;
  return `tfjs/${opName}/${layout}/${pad}/s${cfg.sh}x${cfg.sw}/d${cfg.dh}x${cfg.dw}/k${cfg.kh}x${cfg.kw}/${ch}/` +
    `b${cfg.batch}/${cfg.H}x${cfg.W}x${cfg.cin}/seed${cfg.seed}`;
}

function tagsFor(cfg, layout, args, outShapeNhwc, kind) {
  const { op, sh, sw, dh, dw, kh, kw, H, W, padKind, pads } = cfg;
  const t = [layout, padKind];
  t.push(sh === sw ? `stride${sh}` : `stride${sh}x${sw}`);
  if (sh !== sw) t.push('asymmetric-stride');
  t.push(dh === dw ? `dilation${dh}` : `dilation${dh}x${dw}`);
  if (dh !== dw) t.push('asymmetric-dilation');
  t.push(`k${kh}x${kw}`);
  if (kh !== kw) t.push('non-square-kernel');
  if (op === 'depthwise_conv2d') t.push(`multiplier${cfg.mult}`); else t.push(`outchannels${cfg.cout}`);
  t.push(`channels${cfg.cin}`, `batch${cfg.batch}`);
  const effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1;
  if (effH > H || effW > W) t.push('filter-larger-than-input');
  if (padKind === 'EXPLICIT') {
    const [pt, pb, pl, pr] = pads;
    if (pt !== pb || pl !== pr) t.push('asymmetric-pads');
    if (Math.max(pt, pb) > effH || Math.max(pl, pr) > effW) t.push('explicit-pads-larger-than-filter');
  }
  if (outShapeNhwc && outShapeNhwc.some((d) => d === 0)) t.push('zero-size');
  if (kind === 'error') t.push('negative-output-size');
  t.push(cfg.exact ? 'exact' : 'random');
  t.push(`strides-${formOf(args.strides)}`, `dilations-${formOf(args.dilations)}`,
    `data_format-${args.data_format === undefined ? 'omitted' : args.data_format === null ? 'null' : args.data_format}`);
  return t;
}

// ---------------------------------------------------------------------------------------------------------
// One configuration -> one case (NHWC) or two cases (NHWC twin + NCHW)

export const notes = [];   // disagreements between tfjs and TF semantics, skipped configurations

export function makeCases(index) {
  const cfg = drawConfig(index);
  const { op, rng, batch: B, H, W, cin, kh, kw, sh, sw, dh, dw, padKind, pads } = cfg;
  const outCh = op === 'depthwise_conv2d' ? cin * cfg.mult : cfg.cout;
  const xShape = [B, H, W, cin];
  const fShape = [kh, kw, cin, op === 'depthwise_conv2d' ? cfg.mult : cfg.cout];
  const x = randomValues(rng, B * H * W * cin, cfg.exact);
  const f = randomValues(rng, fShape.reduce((a, b) => a * b, 1), cfg.exact);
  const [pt, pb, pl, pr] = pads || [0, 0, 0, 0];
  const oh = tfOutSize(H, kh, sh, dh, padKind, pt, pb);
  const ow = tfOutSize(W, kw, sw, dw, padKind, pl, pr);
  const tfShape = oh === null || ow === null ? null : [B, oh, ow, outCh];
  const tfjsPad = padKind === 'SAME' ? 'same' : padKind === 'VALID' ? 'valid' : [[0, 0], [pt, pb], [pl, pr], [0, 0]];
  const res = runTfjs(op, x, xShape, f, fShape, [sh, sw], tfjsPad, 'NHWC', [dh, dw]);
  // TF semantics are certain (tf-semantics.md §3) where the native kernel computes the size directly:
  // conv2d always, depthwise when no dilation (a dilated depthwise goes through space_to_batch, §5).
  const tfCertain = op === 'conv2d' || (dh === 1 && dw === 1);
  const agree = tfShape !== null && res.shape !== null && res.shape.every((d, i) => d === tfShape[i]);
  const tfjsSays = res.shape === null ? `throws ${res.error}` : `returns shape [${res.shape}]`;
  const tolerance = cfg.exact ? 'exact' : 'summation';
  const idN = caseId(cfg, 'NHWC', outCh);
  let kind, expected = null, provN = provenanceFor(cfg.seed), extraTags = [];
  if (agree) {
    kind = 'value';
    expected = { shape: res.shape, values: res.values };
  } else if (!tfCertain) {
    notes.push(`skipped ${idN}: tfjs ${tfjsSays}, TF ${tfShape ? `[${tfShape}]` : 'error'} ` +
      '(dilated depthwise goes through space_to_batch in TF; outcome not certain)');
    return [];
  } else {
    if (tfShape !== null && tfShape.some((d) => d === 0)) {
      kind = 'value';
      expected = { shape: tfShape, values: new Float32Array(0) };
    } else if (tfShape === null) {
      kind = 'error';
    } else {
      throw new Error(`tfjs ${tfjsSays}, TF shape is [${tfShape}], for ${idN}`);
    }
    provN = `derived: tf.nn output-size rule, tf-semantics.md §3 (${TFJS} ${tfjsSays}) ` +
      `from conformance/generator ${GENERATOR_VERSION}, seed ${cfg.seed}`;
    extraTags = ['tf-semantics-only', 'tfjs-disagrees'];
    notes.push(`tfjs disagrees: ${idN}: tfjs ${tfjsSays}, TF ${tfShape ? `[${tfShape}]` : 'error "Computed output size would be negative"'}`);
  }
  const mk = (layout, id, xs, xv, ev, provenance, more) => {
    const args = buildArgs(cfg, layout);
    const c = { id, op, args, dtype: 'float32', input: { shape: xs, values: xv }, filter: { shape: fShape, values: f } };
    if (kind === 'value') c.expected = ev;
    else c.expected_error = { kind: 'ValueError', message: 'Computed output size would be negative' };
    c.tolerance = tolerance;
    c.provenance = provenance;
    c.tags = [...tagsFor(cfg, layout, args, expected && expected.shape, kind), ...extraTags, ...more];
    return c;
  };
  const cases = [mk('NHWC', idN, xShape, x, expected, provN, [])];
  if (cfg.nchw) {
    const idC = caseId(cfg, 'NCHW', outCh);
    const xc = nhwcToNchw(x, xShape);
    const ec = expected && { shape: nchwShape(expected.shape), values: nhwcToNchw(expected.values, expected.shape) };
    let provC = `derived: NCHW = transpose(input NCHW->NHWC), NHWC op, transpose(output NHWC->NCHW), filter unchanged, from ${idN}`;
    let more = ['derived'];
    if (op === 'conv2d' && kind === 'value' && agree) {
      // tfjs conv2d runs NCHW natively: use its result when it is bit-identical to the transposition.
      const tfjsPadC = Array.isArray(tfjsPad) ? [[0, 0], [0, 0], [pt, pb], [pl, pr]] : tfjsPad;
      const rc = runTfjs(op, xc, nchwShape(xShape), f, fShape, [sh, sw], tfjsPadC, 'NCHW', [dh, dw]);
      if (rc.shape.every((d, i) => d === ec.shape[i]) && sameBits(rc.values, ec.values)) {
        provC = provenanceFor(cfg.seed); more = [];
      } else {
        notes.push(`tfjs conv2d NCHW differs from transposed NHWC for ${idC}; kept the derived result`);
      }
    }
    cases.push(mk('NCHW', idC, nchwShape(xShape), xc, ec, provC, more));
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------
// JSON writing: one case per line, float32 values as Number(f32).toString() (round-trips exactly)

function num(v) {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return String(v + 0);   // -0 -> "0"
}
function tensorJson(t) {
  return `{"shape":${JSON.stringify(t.shape)},"values":[${Array.from(t.values, num).join(',')}]}`;
}
function caseJson(c) {
  const parts = [];
  for (const [k, v] of Object.entries(c)) {
    const val = (k === 'input' || k === 'filter' || k === 'expected') ? tensorJson(v) : JSON.stringify(v);
    parts.push(`${JSON.stringify(k)}:${val}`);
  }
  return `{${parts.join(',')}}`;
}
function fileJson(description, cases) {
  return '{\n' +
    '"format": "depthwise-interop-conformance",\n' +
    '"format_version": 1,\n' +
    `"description": ${JSON.stringify(description)},\n` +
    '"cases": [\n' + cases.map(caseJson).join(',\n') + '\n]\n}\n';
}

const DESC = (what) => `${what}: cases sampled (seeded) from a grid of strides, dilations, paddings, kernel sizes, ` +
  `channels and sizes; expected values computed by ${TFJS} (float32, NHWC; NCHW depthwise derived by transposition), ` +
  `conformance/generator ${GENERATOR_VERSION}, seeds ${BASE_SEED}..${BASE_SEED + NUM_CONFIGS - 1}.`;

function knownValueCheck() {
  // tf depthwise test value: input 1..9 [1,3,3,1], filter [1,2,3,4] [2,1,1,2], strides 1, VALID
  const r = runTfjs('depthwise_conv2d', new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 3, 3, 1],
    new Float32Array([1, 2, 3, 4]), [2, 1, 1, 2], [1, 1], 'valid', 'NHWC', [1, 1]);
  const want = [13, 18, 17, 24, 21, 30, 25, 36, 29, 42, 33, 48];
  if (JSON.stringify(r.shape) !== '[1,2,3,2]' || JSON.stringify(Array.from(r.values)) !== JSON.stringify(want))
    throw new Error(`tfjs sanity check failed: got ${JSON.stringify(r)}`);
}

function checkVersions() {
  const require = createRequire(import.meta.url);
  const core = require('@tensorflow/tfjs-core/package.json').version;
  const cpu = require('@tensorflow/tfjs-backend-cpu/package.json').version;
  if (core !== TFJS_CORE_VERSION || cpu !== TFJS_CPU_VERSION)
    throw new Error(`need tfjs-core ${TFJS_CORE_VERSION} + tfjs-backend-cpu ${TFJS_CPU_VERSION}, found ${core} + ${cpu}; run npm ci`);
}

// Returns { fileName: text } for the requested part.
export function generate({ sampleOnly = false } = {}) {
  checkVersions();
  knownValueCheck();
  notes.length = 0;
  const sample = [], shards = new Map();
  for (let i = 0; i < NUM_CONFIGS; i++) {
    const inSample = i % SAMPLE_EVERY === 0;
    if (sampleOnly && !inSample) continue;
    for (const c of makeCases(i)) {
      if (inSample) { sample.push(c); continue; }
      const layout = c.tags[0];
      const key = `tfjs_${c.op === 'depthwise_conv2d' ? 'depthwise' : 'conv2d'}_${layout.toLowerCase()}`;
      if (!shards.has(key)) shards.set(key, []);
      shards.get(key).push(c);
    }
  }
  const files = {};
  files[SAMPLE_FILE] = fileJson(DESC(`Sample shard (configurations i % ${SAMPLE_EVERY} == 0, both ops, all layouts; ` +
    `regenerated by CI with --check)`), sample);
  if (!sampleOnly) {
    for (const key of [...shards.keys()].sort()) {
      const cases = shards.get(key);
      const what = `${key.includes('depthwise') ? 'tf.nn.depthwise_conv2d' : 'tf.nn.conv2d'} ${key.endsWith('nchw') ? 'NCHW' : 'NHWC'}`;
      const whole = fileJson(DESC(what), cases);
      if (Buffer.byteLength(whole) <= MAX_SHARD_BYTES) { files[`${key}.json`] = whole; continue; }
      const parts = Math.ceil(Buffer.byteLength(whole) / MAX_SHARD_BYTES);
      for (let p = 0; p < parts; p++)
        files[`${key}_part${p + 1}.json`] = fileJson(DESC(`${what}, part ${p + 1} of ${parts}`),
          cases.filter((_, j) => j % parts === p));
    }
  }
  return files;
}

function writeFiles(dir, files, { prune }) {
  fs.mkdirSync(dir, { recursive: true });
  if (prune) {
    for (const name of fs.readdirSync(dir))
      if (/^tfjs_.*\.json(\.gz)?$/.test(name) && !(name in files)) {
        fs.unlinkSync(path.join(dir, name));
        console.log(`removed stale ${name}`);
      }
  }
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

function firstDifference(a, b) {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++)
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  committed:   ${(la[i] ?? '<missing>').slice(0, 300)}\n  regenerated: ${(lb[i] ?? '<missing>').slice(0, 300)}`;
  return 'no line differs (trailing bytes?)';
}

function check(dir, all) {
  const files = generate({ sampleOnly: !all });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-fixtures-'));
  writeFiles(tmp, files, { prune: false });
  let bad = 0;
  for (const name of Object.keys(files)) {
    const committedPath = path.join(dir, name);
    const fresh = fs.readFileSync(path.join(tmp, name));
    if (!fs.existsSync(committedPath)) { console.error(`MISSING: ${committedPath} (regenerated copy in ${tmp})`); bad++; continue; }
    const committed = fs.readFileSync(committedPath);
    if (Buffer.compare(committed, fresh) !== 0) {
      console.error(`DIFFERENT: ${committedPath} is not what conformance/generator ${GENERATOR_VERSION} produces ` +
        `(regenerated copy: ${path.join(tmp, name)}); first difference at ${firstDifference(committed.toString(), fresh.toString())}`);
      bad++;
    } else console.log(`identical: ${name} (${committed.length} bytes)`);
  }
  if (all) {
    for (const name of fs.readdirSync(dir))
      if (/^tfjs_.*\.json(\.gz)?$/.test(name) && !(name in files)) { console.error(`EXTRA: ${name} is not produced by the generator`); bad++; }
  }
  if (bad) {
    console.error(`check FAILED: ${bad} file(s) differ from a fresh regeneration. Either the committed fixtures were ` +
      'edited, or the generator / its pinned tfjs changed: run `npm ci && node generate.mjs --out ../fixtures` in ' +
      'conformance/generator, review the diff, and change GENERATOR_VERSION if the cases changed on purpose.');
    process.exit(1);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`check passed: ${Object.keys(files).length} file(s) byte-identical`);
}

function summary(files) {
  for (const [name, text] of Object.entries(files)) {
    const n = (text.match(/^\{"id":/gm) || []).length;
    console.log(`${name}: ${n} cases, ${Buffer.byteLength(text)} bytes`);
  }
  const dis = notes.filter((n) => n.startsWith('tfjs disagrees')).length;
  const skipped = notes.filter((n) => n.startsWith('skipped')).length;
  console.log(`tfjs/TF disagreements emitted as TF-semantics cases: ${dis}; configurations skipped: ${skipped}`);
}

async function main(argv) {
  const opt = { out: null, sample: false, check: null, checkAll: null, caseSeed: null, notes: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opt.out = argv[++i];
    else if (a === '--sample') opt.sample = true;
    else if (a === '--check') opt.check = argv[++i];
    else if (a === '--check-all') opt.checkAll = argv[++i];
    else if (a === '--case') opt.caseSeed = Number(argv[++i]);
    else if (a === '--notes') opt.notes = true;
    else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  tf.enableProdMode();   // silences tfjs's "install the node backend" banner (PROD only affects logging)
  await tf.setBackend('cpu');
  if (opt.check || opt.checkAll) return check(opt.check || opt.checkAll, !!opt.checkAll);
  if (opt.caseSeed !== null) {
    checkVersions(); knownValueCheck();
    for (const c of makeCases(opt.caseSeed - BASE_SEED)) console.log(caseJson(c));
    for (const n of notes) console.error(n);
    return;
  }
  if (!opt.out) { console.error('usage: node generate.mjs [--sample] --out DIR | --check DIR | --check-all DIR | --case SEED'); process.exit(2); }
  const files = generate({ sampleOnly: opt.sample });
  writeFiles(opt.out, files, { prune: !opt.sample });
  summary(files);
  if (opt.notes) for (const n of notes) console.log(n);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('generate.mjs')) {
  main(process.argv.slice(2)).catch((e) => { console.error(e.stack || e); process.exit(1); });
}
