namespace InterpKernel.Sweeps;

/// <summary>The model a sweep runs: a local folder or a Hugging Face id, where and in what dtype.</summary>
/// <param name="Path">A checkpoint folder (relative to the spec file) or a Hugging Face model id.</param>
/// <param name="Device"><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; <c>cuda</c> in a Slurm or Kubernetes task takes the GPU the scheduler gave it.</param>
/// <param name="Dtype"><c>float32</c> (default), <c>float16</c> or <c>bfloat16</c>.</param>
public sealed record SweepModel(string Path, string Device = "cpu", string Dtype = "float32");
