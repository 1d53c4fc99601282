namespace InterpKernel.Hub;

/// <summary>How far the download of one file has come.</summary>
/// <param name="RepoId">The repo the file belongs to, e.g. <c>EleutherAI/pythia-70m</c>.</param>
/// <param name="FileName">The file's path inside the repo, e.g. <c>model.safetensors</c>.</param>
/// <param name="BytesDone">Bytes on disk so far, including a resumed partial file.</param>
/// <param name="BytesTotal">The announced size, or null when the server did not announce one.</param>
public sealed record DownloadProgress(string RepoId, string FileName, long BytesDone, long? BytesTotal)
{
    /// <summary>Fraction done in [0, 1], or null when the total is unknown.</summary>
    public double? Fraction => BytesTotal is > 0 ? Math.Clamp((double)BytesDone / BytesTotal.Value, 0, 1) : BytesTotal == 0 ? 1 : null;
}
