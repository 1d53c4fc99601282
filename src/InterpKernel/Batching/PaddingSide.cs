namespace InterpKernel;

/// <summary>Where the pad tokens of a <see cref="TokenBatch"/> go: after each shorter prompt, or before it.</summary>
public enum PaddingSide
{
    /// <summary>Pads after the prompt: every prompt starts at position 0 (the default).</summary>
    Right,

    /// <summary>Pads before the prompt: every prompt ends at the last position, which suits generation.</summary>
    Left,
}
