namespace DepthwiseInterop;

/// <summary>
/// An argument that TensorFlow would reject too (its <c>InvalidArgumentError</c> or <c>ValueError</c>); the
/// message uses TensorFlow's wording where TensorFlow has one, so that users can search for it.
/// </summary>
public sealed class ConvolutionArgumentException(string message) : ArgumentException(message);

/// <summary>A request that is valid in TensorFlow but that this library does not implement.</summary>
public sealed class ConvolutionNotSupportedException(string message) : NotSupportedException(message);
