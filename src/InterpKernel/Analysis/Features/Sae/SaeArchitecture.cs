namespace InterpKernel.Analysis;

/// <summary>How an SAE turns pre-activations into feature activations (SAELens's <c>architecture</c> field).</summary>
public enum SaeArchitecture
{
    /// <summary><c>standard</c>: ReLU.</summary>
    Standard,
    /// <summary><c>topk</c>: keep the k largest pre-activations (ReLU'd), zero the rest.</summary>
    TopK,
    /// <summary><c>jumprelu</c>: a pre-activation passes only where it exceeds its feature's learned threshold.</summary>
    JumpRelu,
}
