"""TensorFlow security advisories about convolutions, as data for test_advisories.py and docs/robustness.md.

Sources: tensorflow/tensorflow tensorflow/security/advisory/tfsa-20XX-NNN.md (read one by one) and, for the
advisories published only on GitHub (no tfsa file), the GitHub advisory GHSA-... text. Every advisory whose
subject is Conv2D / DepthwiseConv2dNative (forward), their shape functions or the windowed-output-size
computation is "in_scope"; convolution-like ops whose inputs translate to this API are "related"; backprop
and transposed convolutions are listed as "backprop" (this library has no such op); advisories that were
examined because they touch convolution code but have no counterpart here are "not_applicable".

Each entry: id (TFSA id, or the GHSA id when TensorFlow published no tfsa file), cve, title (verbatim from the
advisory), scope, what (the advisory, in one sentence) and here (how depthwise_interop behaves; the tests in
test_advisories.py check exactly this).
"""

from __future__ import annotations

ADVISORIES = [
    # ---- in scope: Conv2D / DepthwiseConv2dNative forward, their shape functions, GetWindowedOutputSize ----
    dict(id="TFSA-2021-015", cve="CVE-2021-29526", title="Division by 0 in `Conv2D`", scope="in_scope",
         what="tf.raw_ops.Conv2D with input and filter of shape [0, 0, 0, 0] (SAME) computed "
              "in_depth % patch_depth with patch_depth == 0.",
         here="conv2d raises ValueError 'filter depth must be stricly positive, got 0' (TensorFlow's text); "
              "depthwise_conv2d with the same shapes has nothing to compute and returns an empty (0, 0, 0, 0) "
              "array, as DepthwiseConv2dNative does."),
    dict(id="TFSA-2021-150", cve="CVE-2021-37675", title="Division by 0 in most convolution operators",
         scope="in_scope",
         what="The Conv2D shape function (common_shape_fns.cc Conv2DShapeImpl) divided and took modulos by "
              "filter dimensions without validating them (graph mode, same [0, 0, 0, 0] PoC).",
         here="There is one validation path (ShapeInference), used by the shape query before any allocation: "
              "a zero filter depth, an input depth not divisible by the filter depth and a depthwise depth "
              "mismatch are ValueErrors; nothing divides by a filter dimension unchecked."),
    dict(id="TFSA-2021-187", cve="CVE-2021-41209", title="FPE in convolutions with zero size filters",
         scope="in_scope",
         what="Convolution kernels divided by zero when passed a filter with a zero dimension.",
         here="A filter with a zero height, width or depth and a non-empty output raises ValueError 'filter "
              "must not have zero elements (i.e. all dimensions must be non-zero)'; zero output channels (or a "
              "zero depthwise multiplier) give an empty array of the right shape."),
    dict(id="TFSA-2022-124", cve="CVE-2022-35996", title="Floating point exception in `Conv2D`",
         scope="in_scope",
         what="Conv2D with an empty input ([1, 0, 2, 1]) and explicit padding has a non-empty, all-zero output; "
              "the kernel divided by zero computing it.",
         here="Returns the all-zero (1, 2, 4, 1) output (TensorFlow's testConv2dOnlyPaddingReturnsZeros); "
              "depthwise_conv2d likewise. BUG: with a filter of more than 2**31 - 1 elements, which TensorFlow "
              "never reads here, the call raises UnimplementedError instead of returning the zeros."),
    dict(id="TFSA-2022-001", cve="CVE-2022-21725",
         title="Floating point division by 0 when executing convolution operators", scope="in_scope",
         what="Grappler's cost estimator for convolutions (GetOutputSize, a copy of GetWindowedOutputSize) "
              "divided by a stride of 0 (PoC: strides [1, 1, 1, 0], NCHW).",
         here="A zero or negative stride is a ValueError for both ops, in both data formats and all padding "
              "modes ('Row and column strides should be larger than 0.' / 'Stride must be > 0, but got 0')."),
    dict(id="TFSA-2021-198", cve="CVE-2021-41197",
         title="Crashes due to overflow and `CHECK`-fail in ops with large tensor shapes", scope="in_scope",
         what="Shapes whose element count overflows int64 (or int32 kernel fields) hit CHECK-failures.",
         here="Checked in 64-bit arithmetic before any allocation: 'batch is too large', 'Input rows too large', "
              "'Input cols too large', 'Input depth too large', 'filter too large', 'output would have more "
              "elements than fit in 64 bits' (ValueError). Tested with as_strided views over a few bytes, in a "
              "subprocess, proving that no data is read. BUG: an input of more than 2**31 - 1 elements with an "
              "empty output (0 output channels) raises UnimplementedError instead of returning the empty array."),
    # ---- related: other convolution ops whose inputs translate to conv2d / depthwise_conv2d ----
    dict(id="TFSA-2021-016", cve="CVE-2021-29527", title="Division by 0 in `QuantizedConv2D`", scope="related",
         what="QuantizedConv2D with filter [1, 0, 1, 1] (SAME) divided by zero.",
         here="The float translation raises ValueError 'filter must not have zero elements ...' "
              "(TensorFlow's testOpEdgeCases)."),
    dict(id="TFSA-2022-075", cve="CVE-2022-29201",
         title="Missing validation results in undefined behavior in `QuantizedConv2D`", scope="related",
         what="Empty min/max quantization-range tensors were dereferenced.",
         here="No quantization ranges exist in this float API; the tensor part of the PoC (input and filter "
              "[1, 2, 3, 3], SAME) is valid and computed exactly (checked against a NumPy reference)."),
    dict(id="TFSA-2021-006", cve="CVE-2021-29517", title="Division by zero in `Conv3D`", scope="related",
         what="Conv3D with empty input and filter divided by the filter depth; a second PoC with mismatched "
              "empty shapes tripped an Eigen assertion.",
         here="2-D translations: all-empty shapes with strides 56 and dilation 23 raise ValueError 'filter "
              "depth must be stricly positive'; input [2, 2, 2, 0] with filter [0, 2, 6, 2] has an empty input "
              "and a non-empty output, so it returns zeros (2, 1, 1, 2), as Conv2D does."),
    dict(id="TFSA-2022-147", cve="CVE-2022-41885", title="Overflow in `FusedResizeAndPadConv2D`",
         scope="related",
         what="Resizing to 1879048192 x 1879048192 before the convolution overflowed.",
         here="Explicit paddings of 1879048192 on a 3 x 3 input raise ValueError 'output would have more "
              "elements than fit in 64 bits' (both ops); so does a 2**30 x 2**30 input (an as_strided view over "
              "one element, which is never read) with 16 output channels."),
    dict(id="TFSA-2022-146", cve="CVE-2022-41884",
         title="Seg fault in `ndarray_tensor_bridge` due to zero and large inputs", scope="related",
         what="NumPy arrays with a zero dimension and huge other dimensions crashed the tensor/ndarray bridge.",
         here="Zero-size inputs with huge dimensions are accepted without reading data: (0, 2**20, 2**20, 1) "
              "gives an empty (0, 2**20, 2**20, 2**20) array; an empty output NumPy cannot represent is a "
              "ValueError. BUG: an empty output with a filter of more than 2**31 - 1 elements (never read) "
              "raises UnimplementedError (a NotImplementedError) instead of returning the empty array."),
    dict(id="TFSA-2021-073", cve="CVE-2021-29585", title="Division by zero in padding computation in TFLite",
         scope="related",
         what="TFLite's ComputeOutSize (the windowed output size) divided by a stride of 0.",
         here="Stride 0 is a ValueError for SAME, VALID and explicit padding, both ops."),
    dict(id="TFSA-2021-082", cve="CVE-2021-29594", title="Division by zero in TFLite's convolution code",
         scope="related",
         what="TFLite's conv divided by the batch size (NumElements(input) / SizeOfDimension(input, 0)).",
         here="A zero batch (or any zero input dimension) gives an empty output of the right shape."),
    dict(id="TFSA-2021-089", cve="CVE-2021-29602",
         title="Division by zero in TFLite's implementation of `DepthwiseConv`", scope="related",
         what="TFLite's depthwise conv divided by an input channel count of 0.",
         here="depthwise_conv2d with 0 input channels returns an empty (1, 2, 2, 0) array; conv2d with 0 "
              "input channels and filter depth 0 raises ValueError."),
    dict(id="TFSA-2022-022", cve="CVE-2022-21741", title="FPE in depthwise convolutions in TFLite",
         scope="related",
         what="TFLite's depthwise conv divided by user-controlled stride/dilation parameters when computing "
              "the padding.",
         here="depthwise_conv2d rejects stride 0 and dilation 0 with ValueError."),
    dict(id="TFSA-2023-001", cve="CVE-2023-27579", title="FPE in TFLite in conv kernel", scope="related",
         what="A TFLite conv with filter_input_channel < 1 divided by zero.",
         here="conv2d with filter depth 0 raises ValueError 'filter depth must be stricly positive, got 0'; "
              "depthwise_conv2d with filter depth 0 raises 'input and filter must have the same depth'."),
    dict(id="GHSA-fxgc-95xx-grvq", cve="CVE-2023-25661", title="TensorFlow Denial of Service vulnerability",
         scope="related",
         what="A Keras Convolution3DTranspose layer CHECK-failed on an input with a zero dimension "
              "(published without a tfsa file).",
         here="Transposed convolution is out of scope; the forward analogue (an input with a zero spatial "
              "dimension, SAME padding) returns an empty array of the right shape for both ops."),
    # ---- backprop / transposed convolutions: no such op in this library ----
    dict(id="TFSA-2021-010", cve="CVE-2021-29520", title="Heap buffer overflow in `Conv3DBackprop*`",
         scope="backprop", what="Conv3DBackprop* argument validation.", here="No backprop op."),
    dict(id="TFSA-2021-011", cve="CVE-2021-29522", title="Division by 0 in `Conv3DBackprop*`",
         scope="backprop", what="Conv3DBackprop* with empty tensors.", here="No backprop op."),
    dict(id="TFSA-2021-013", cve="CVE-2021-29524", title="Division by 0 in `Conv2DBackpropFilter`",
         scope="backprop", what="Conv2DBackpropFilter modulo by filter depth.", here="No backprop op."),
    dict(id="TFSA-2021-014", cve="CVE-2021-29525", title="Division by 0 in `Conv2DBackpropInput`",
         scope="backprop", what="Conv2DBackpropInput shard size from empty shapes.", here="No backprop op."),
    dict(id="TFSA-2021-027", cve="CVE-2021-29538", title="Division by zero in `Conv2DBackpropFilter`",
         scope="backprop", what="Conv2DBackpropFilter work unit size 0.", here="No backprop op."),
    dict(id="TFSA-2021-028", cve="CVE-2021-29540", title="Heap buffer overflow in `Conv2DBackpropFilter`",
         scope="backprop", what="Conv2DBackpropFilter shape mismatch.", here="No backprop op."),
    dict(id="TFSA-2021-077", cve="CVE-2021-29588",
         title="Division by zero in TFLite's implementation of `TransposeConv`", scope="backprop",
         what="TFLite TransposeConv stride 0.", here="No transposed convolution (stride 0 is rejected anyway)."),
    dict(id="TFSA-2022-070", cve="CVE-2022-29196",
         title="Missing validation causes denial of service via `Conv3DBackpropFilterV2`", scope="backprop",
         what="filter_sizes not a vector.", here="No backprop op."),
    dict(id="TFSA-2022-078", cve="CVE-2022-29204",
         title="Missing validation causes denial of service via `Conv3DBackpropFilterV2`", scope="backprop",
         what="Titled Conv3DBackpropFilterV2; its body describes UnsortedSegmentJoin.", here="No backprop op."),
    dict(id="TFSA-2022-101", cve="CVE-2022-35969", title="`CHECK` fail in `Conv2DBackpropInput`",
         scope="backprop", what="input_sizes not 4-D.", here="No backprop op."),
    dict(id="TFSA-2022-121", cve="CVE-2022-35999", title="`CHECK` fail in `Conv2DBackpropInput`",
         scope="backprop", what="Empty out_backprop.", here="No backprop op."),
    dict(id="GHSA (no tfsa file located)", cve="CVE-2022-41894",
         title="Buffer overflow in TFLite CONV_3D_TRANSPOSE reference kernel", scope="backprop",
         what="data_ptr incremented wrongly when adding the bias.", here="No transposed convolution, no bias."),
    # ---- examined, no counterpart in this API ----
    dict(id="TFSA-2021-074", cve="CVE-2021-29586",
         title="Division by zero in optimized pooling implementations in TFLite", scope="not_applicable",
         what="Pooling stride 0.", here="Pooling is not provided."),
    dict(id="GHSA-q7f7-544h-67h9", cve="CVE-2021-37684", title="FPE in TFLite pooling operations",
         scope="not_applicable", what="Pooling.", here="Pooling is not provided."),
    dict(id="GHSA-gf2j-f278-xh4v", cve="CVE-2022-23557", title="Division by zero in TFLite",
         scope="not_applicable", what="BiasAndClamp (used after TFLite convs) with bias_size 0.",
         here="No bias argument."),
    dict(id="GHSA-c94w-c95p-phf8 / GHSA-wm93-f238-7v37", cve="CVE-2022-23575 / CVE-2022-23576",
         title="Integer overflow in Tensorflow (OpLevelCostEstimator::CalculateTensorSize / "
               "CalculateOutputSize)", scope="not_applicable",
         what="Grappler cost estimation of any op with a huge element count.",
         here="No graph optimizer; element-count overflow is covered by TFSA-2021-198."),
    dict(id="GHSA-pgcq-h79j-2f69", cve="CVE-2021-41206", title="Incomplete validation of shapes in multiple TF ops",
         scope="not_applicable", what="Unspecified ops, no reproducer.", here="Covered by the fuzz test."),
    dict(id="TFSA-2021-054", cve="CVE-2021-29566", title="Heap OOB access in `Dilation2DBackpropInput`",
         scope="not_applicable", what="Morphological dilation backprop (not a convolution).",
         here="Not provided."),
]

TESTED_SCOPES = ("in_scope", "related")


def by_scope(scope: str) -> list[dict]:
    return [entry for entry in ADVISORIES if entry["scope"] == scope]


def label(entry: dict) -> str:
    """The pytest id: advisory and CVE, e.g. TFSA-2021-015/CVE-2021-29526."""
    return f"{entry['id']}/{entry['cve']}"
