namespace InterpKernel.Analysis;

/// <summary>The activations a standard patching sweep patches, one component at a time.</summary>
public enum PatchTarget
{
    /// <summary><c>hook_resid_pre</c> by layer × position.</summary>
    ResidPre,
    /// <summary><c>hook_resid_mid</c> by layer × position.</summary>
    ResidMid,
    /// <summary><c>hook_resid_post</c> by layer × position.</summary>
    ResidPost,
    /// <summary><c>hook_attn_out</c> by layer × position.</summary>
    AttnOut,
    /// <summary><c>hook_mlp_out</c> by layer × position.</summary>
    MlpOut,
    /// <summary><c>hook_z</c> of one head at every position, by layer × head.</summary>
    HeadOut,
    /// <summary><c>hook_z</c> of one head at one position, by layer × position × head.</summary>
    HeadOutByPos,
    /// <summary><c>hook_q</c> of one head at every position, by layer × head.</summary>
    HeadQ,
    /// <summary><c>hook_k</c> of one key/value head at every position, by layer × key/value head.</summary>
    HeadK,
    /// <summary><c>hook_v</c> of one key/value head at every position, by layer × key/value head.</summary>
    HeadV,
    /// <summary><c>hook_pattern</c> of one head (every query and key), by layer × head.</summary>
    HeadPattern,
}
